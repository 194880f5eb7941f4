/**
 * Every stable error code the API can answer, with its HTTP status. Clients switch on `code`;
 * the status follows from it, in this one table.
 */
export const ERROR_HTTP_STATUS = {
  // HTTP layer
  INVALID_JSON: 400,
  BAD_REQUEST: 400,
  /** The spec's code for a missing or invalid API key (`Missing API key.` / `Invalid API key.`). */
  HTTP_ERROR: 401,
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
  // Tasks and sessions
  TASK_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  TASK_ALREADY_FINISHED: 409,
  IDEMPOTENCY_CONFLICT: 409,
  QUEUE_UNAVAILABLE: 503,
  // Protection (rate limits, budgets)
  BUDGET_EXCEEDED: 402,
  // Task failures (stored on the task; an HTTP status only if one ever reaches a response)
  CANCELLED: 409,
  UNKNOWN_TASK_TYPE: 422,
  ROUTING_FAILED: 502,
  AGENT_FAILED: 500,
  LLM_NOT_CONFIGURED: 503,
  LLM_RATE_LIMITED: 503,
  LLM_TIMEOUT: 504,
  LLM_UNAVAILABLE: 502,
  LLM_EMPTY_RESPONSE: 502,
  LLM_REQUEST_REJECTED: 502,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** One failing field of a request, as listed in `error.details` of a VALIDATION_ERROR. */
export interface FieldError {
  field: string;
  message: string;
}
