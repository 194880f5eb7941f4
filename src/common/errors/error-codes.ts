/**
 * Every stable error code the API can answer, with its HTTP status. Clients switch on `code`;
 * the status follows from it, in this one table.
 */
export const ERROR_HTTP_STATUS = {
  INVALID_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_ERROR: 422,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** One failing field of a request, as listed in `error.details` of a VALIDATION_ERROR. */
export interface FieldError {
  field: string;
  message: string;
}
