import { AppError } from './app-error';
import type { FieldError } from './error-codes';

/* Errors of the HTTP layer itself, shared by every module. */

export class ValidationError extends AppError {
  constructor(details: FieldError[], message = 'Request validation failed.') {
    super('VALIDATION_ERROR', message, { details });
  }
}

export class InvalidJsonError extends AppError {
  constructor(cause?: unknown) {
    super('INVALID_JSON', 'The request body is not valid JSON.', { cause });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `The request body exceeds ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string | undefined) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${contentType ? `"${contentType}"` : '(none)'} is not supported; send application/json.`,
    );
  }
}

/** RFC 8259 §8.1: JSON exchanged between systems is UTF-8, so no other charset is decoded. */
export class UnsupportedCharsetError extends AppError {
  constructor(charset: string) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `Charset "${charset}" is not supported; JSON bodies must be UTF-8 (send charset=utf-8 or none).`,
    );
  }
}

/** The spec's 401: code HTTP_ERROR, for a key that is missing or not one of the configured keys. */
export class UnauthorizedError extends AppError {
  constructor(reason: 'missing' | 'invalid') {
    super('HTTP_ERROR', reason === 'missing' ? 'Missing API key.' : 'Invalid API key.');
  }
}

export class RouteNotFoundError extends AppError {
  constructor(method: string, path: string) {
    super('NOT_FOUND', `No route for ${method} ${path}.`);
  }
}

export class DependencyUnavailableError extends AppError {
  constructor(dependency: string, cause?: unknown) {
    super('SERVICE_UNAVAILABLE', `${dependency} is unavailable; try again shortly.`, {
      retryable: true,
      cause,
    });
  }
}
