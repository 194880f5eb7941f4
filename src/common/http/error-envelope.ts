import { HttpException } from '@nestjs/common';
import { isMongoUnavailable } from '../../database/mongo-unavailable';
import {
  AppError,
  DependencyUnavailableError,
  ERROR_HTTP_STATUS,
  type ErrorCode,
  InvalidJsonError,
  PayloadTooLargeError,
} from '../errors';

export interface ErrorEnvelope {
  /** An ErrorCode, or HTTP_ERROR for a framework error with no code of its own. */
  error: { code: string; message: string; details?: unknown };
}

export interface MappedError {
  status: number;
  body: ErrorEnvelope;
  /** Set when the error was not raised on purpose: it is logged, and the body says nothing of it. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
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

/** Turns anything thrown while handling a request into the one error envelope. */
export function toErrorEnvelope(exception: unknown, method: string, path: string): MappedError {
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
      return envelope(404, 'NOT_FOUND', `No route for ${method} ${path}.`);
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
