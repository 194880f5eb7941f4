import type { OutgoingHttpHeaders } from 'node:http';
import type { Fault } from '../llm-server/fault';
import type { TavilyErrorBody } from './tavily-wire';

export interface TavilyErrorResponse {
  status: number;
  body: TavilyErrorBody;
  headers: OutgoingHttpHeaders;
}

export function tavilyError(
  status: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): TavilyErrorResponse {
  return { status, body: { detail: { error: message } }, headers };
}

/** The error response of a fault that answers with an HTTP error, or undefined for the others. */
export function tavilyFaultError(fault: Fault): TavilyErrorResponse | undefined {
  switch (fault.type) {
    case 'rate_limit':
      return tavilyError(
        429,
        fault.message ??
          'Your request has been blocked due to excessive requests. Please reduce the rate of requests.',
        fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {},
      );
    case 'server_error':
      return tavilyError(fault.status ?? 500, fault.message ?? 'Internal Server Error');
    case 'bad_request':
      return tavilyError(400, fault.message ?? 'Invalid request.');
    case 'unauthorized':
      return tavilyError(401, fault.message ?? 'Unauthorized: missing or invalid API key.');
    case 'slow_first_byte':
    case 'malformed_json':
    case 'cut_stream':
      return undefined;
  }
}
