import { HttpException } from '@nestjs/common';
import {
  AppError,
  DependencyUnavailableError,
  ERROR_HTTP_STATUS,
  type ErrorCode,
  InvalidJsonError,
  isMongoUnavailable,
  PayloadTooLargeError,
} from '../errors';

export interface ErrorEnvelope {
  /** An ErrorCode, or HTTP_ERROR for a framework error with no code of its own. */
  error: { code: string; message: string; details?: unknown };
}

export interface MappedError {
  status: number;
  body: ErrorEnvelope;
  /** Headers the answer needs (Allow on a 405). */
  headers?: Record<string, string>;
  /** Set when the error was not raised on purpose: it is logged, and the body says nothing of it. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'HTTP_ERROR',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMIT_EXCEEDED',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * The code of an answer that has only a status: a framework's or a mounted library's error.
 * HTTP_ERROR for other 4xx statuses, INTERNAL_ERROR for other 5xx.
 */
export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status < 500 ? 'HTTP_ERROR' : 'INTERNAL_ERROR');
}

/** body-parser (used by Express) marks its errors with a `type` and a `status`. */
interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as BodyParserError).type === 'string' &&
    'status' in err
  );
}

/**
 * Turns anything thrown while handling a request into the one error envelope. `allowedMethods`
 * tells which methods other routes serve at a path, so that a known path asked with the wrong
 * method answers 405 with Allow instead of 404.
 */
export function toErrorEnvelope(
  exception: unknown,
  method: string,
  path: string,
  allowedMethods: (path: string) => string[] = () => [],
): MappedError {
  const err = normalise(exception);
  if (err instanceof AppError) {
    const body: ErrorEnvelope = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: ERROR_HTTP_STATUS[err.code], body, unexpected: false };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = CODE_BY_STATUS[status];
    if (status === 404 && /^Cannot [A-Z]+ /.test(err.message)) {
      const allowed = allowedMethods(path);
      if (allowed.length === 0)
        return envelope(404, 'NOT_FOUND', `No route for ${method} ${path}.`);
      return {
        ...envelope(
          405,
          'METHOD_NOT_ALLOWED',
          `${method} is not allowed on ${path}; use ${allowed.join(', ')}.`,
        ),
        headers: { Allow: allowed.join(', ') },
      };
    }
    if (code) return envelope(status, code, httpMessage(err));
    if (status < 500) return envelope(status, 'HTTP_ERROR', httpMessage(err));
  }
  return { ...envelope(500, 'INTERNAL_ERROR', 'An unexpected error occurred.'), unexpected: true };
}

function normalise(exception: unknown): unknown {
  if (isMongoUnavailable(exception)) {
    return new DependencyUnavailableError('The database', exception);
  }
  if (!isBodyParserError(exception)) return exception;
  switch (exception.type) {
    case 'entity.parse.failed':
      return new InvalidJsonError(exception);
    case 'entity.too.large':
      return new PayloadTooLargeError(exception.limit ?? 0);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'The request body encoding or charset is not supported.',
      );
    default:
      return new AppError('BAD_REQUEST', 'The request body could not be read.', {
        cause: exception,
      });
  }
}

function httpMessage(err: HttpException): string {
  const response = err.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = response.message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  }
  return err.message;
}

function envelope(status: number, code: string, message: string): MappedError {
  return { status, body: { error: { code, message } }, unexpected: false };
}
