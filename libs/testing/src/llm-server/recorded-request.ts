import type { IncomingHttpHeaders } from 'node:http';
import type { FaultType } from './fault';
import type { HttpExchange } from './http-exchange';
import type { ReplySource } from './reply-script';

export type RecordedRequestKind = 'chat' | 'models' | 'search' | 'other';

/**
 * One HTTP request as a test server saw it. The object is recorded on arrival and completed
 * in place as the response goes out, so a test can also inspect requests still in flight.
 */
export interface RecordedRequest {
  /** 1-based arrival order on this server since the last reset. */
  seq: number;
  kind: RecordedRequestKind;
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The JSON body, or undefined when there was none or it did not parse. */
  body: unknown;
  /** Where the reply came from; absent for answers the server gives on its own (models, 401, 404). */
  replySource?: ReplySource;
  fault?: FaultType;
  /** True when the response waited on a hold. */
  held: boolean;
  status?: number;
  /** The client went away before the response was complete. */
  aborted: boolean;
  receivedAt: number;
  finishedAt?: number;
}

/** The record of a request that has just arrived; the body is filled in once read. */
export function recordArrival(seq: number, exchange: HttpExchange): RecordedRequest {
  return {
    seq,
    kind: 'other',
    method: exchange.method,
    path: exchange.path,
    headers: exchange.req.headers,
    rawBody: '',
    body: undefined,
    held: false,
    aborted: false,
    receivedAt: Date.now(),
  };
}
