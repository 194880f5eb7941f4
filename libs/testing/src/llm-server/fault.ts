/**
 * Failures a test server produces instead of (or, for the slow and cut ones, on the way to) a
 * normal reply. Both servers understand the same set so a test reads the same for either API.
 */
export type Fault =
  /** 429 in the API's error shape; `Retry-After` is sent only when given, as the real APIs do. */
  | { type: 'rate_limit'; retryAfterS?: number; message?: string }
  /** 5xx (500 unless told otherwise). */
  | { type: 'server_error'; status?: number; message?: string }
  /** Nothing at all is written until the delay is over, then the normal reply follows. */
  | { type: 'slow_first_byte'; delayMs: number }
  /** 200 with a JSON content type and a body that is not JSON. */
  | { type: 'malformed_json' }
  /** The socket is destroyed after this many SSE events (or half the body when not streaming). */
  | { type: 'cut_stream'; afterChunks: number }
  | { type: 'bad_request'; message?: string }
  | { type: 'unauthorized'; message?: string };

export type FaultType = Fault['type'];
