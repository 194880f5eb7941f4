import type { OutgoingHttpHeaders } from 'node:http';
import type { Fault } from './fault';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ErrorResponse {
  status: number;
  body: OpenAiErrorBody;
  headers: OutgoingHttpHeaders;
}

export function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  headers: OutgoingHttpHeaders = {},
): ErrorResponse {
  return { status, body: { error: { message, type, param: null, code } }, headers };
}

/**
 * A mistake in the test's script rather than a simulated outage. `x-should-retry: false` stops
 * the openai client from retrying it, so a missing script fails at once instead of after backoff.
 */
export function scriptError(message: string): ErrorResponse {
  return openAiError(500, message, 'server_error', 'test_script_error', {
    'x-should-retry': 'false',
  });
}

export const invalidApiKey = (message?: string): ErrorResponse =>
  openAiError(
    401,
    message ??
      'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    'invalid_request_error',
    'invalid_api_key',
  );

/** The error response of a fault that answers with an HTTP error, or undefined for the others. */
export function faultError(fault: Fault, model: string): ErrorResponse | undefined {
  switch (fault.type) {
    case 'rate_limit':
      return openAiError(
        429,
        fault.message ??
          `Rate limit reached for ${model} in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1.`,
        'requests',
        'rate_limit_exceeded',
        {
          ...(fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {}),
          'x-ratelimit-limit-requests': '3',
          'x-ratelimit-remaining-requests': '0',
        },
      );
    case 'server_error':
      return openAiError(
        fault.status ?? 500,
        fault.message ?? 'The server had an error while processing your request. Sorry about that!',
        'server_error',
      );
    case 'bad_request':
      return openAiError(400, fault.message ?? 'Invalid request.', 'invalid_request_error');
    case 'unauthorized':
      return invalidApiKey(fault.message);
    case 'slow_first_byte':
    case 'malformed_json':
    case 'cut_stream':
      return undefined;
  }
}
