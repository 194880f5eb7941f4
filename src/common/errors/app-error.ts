import { type ErrorCode, type FieldError } from './error-codes';

export interface AppErrorOptions {
  details?: FieldError[] | Record<string, unknown>;
  /** Whether doing the same thing again later may succeed (the worker retries only these). */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * The root of every error the service raises on purpose. It carries a stable code; the global
 * exception filter turns it into the `{"error":{"code","message","details?"}}` envelope.
 */
export class AppError extends Error {
  readonly details?: AppErrorOptions['details'];
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}
