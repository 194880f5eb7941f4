import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * One request/response pair with a signal that fires when the client goes away, so every
 * wait a scripted reply makes (latency, delays, holds) ends with the connection and leaves
 * no timer behind.
 */
export class HttpExchange {
  readonly path: string;
  private readonly controller = new AbortController();
  private cutHere = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.path = (req.url ?? '/').split('?')[0];
    res.on('close', () => {
      if (!res.writableFinished) this.controller.abort();
    });
  }

  get method(): string {
    return (this.req.method ?? 'GET').toUpperCase();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The connection ended before the response did, for whatever reason. */
  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** The client, not a scripted cut, ended the connection early. */
  get clientGone(): boolean {
    return this.aborted && !this.cutHere;
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  async readBody(): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Waits, or rejects as soon as the client disconnects (the timer is cleared either way). */
  async pause(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms, undefined, { signal: this.signal });
    else this.signal.throwIfAborted();
  }

  /** Waits for a promise the test controls, or rejects when the client disconnects. */
  waitFor(promise: Promise<unknown>): Promise<void> {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error('hold rejected', { cause: err }));
        },
      );
    });
  }

  sendJson(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    this.sendText(status, JSON.stringify(body), 'application/json', headers);
  }

  sendText(
    status: number,
    text: string,
    contentType: string,
    headers: OutgoingHttpHeaders = {},
  ): void {
    const payload = Buffer.from(text, 'utf8');
    this.res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': payload.length,
    });
    this.res.end(payload);
  }

  /** Writes the status, headers and the first part of a body whose declared length is never met. */
  sendTruncated(
    status: number,
    text: string,
    contentType: string,
    headers: OutgoingHttpHeaders = {},
  ): void {
    const payload = Buffer.from(text, 'utf8');
    this.res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': payload.length,
    });
    this.res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => this.cut());
  }

  startEventStream(headers: OutgoingHttpHeaders = {}): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.res.flushHeaders();
  }

  /**
   * Resolves once the event is handed to the socket. Node corks chunked writes until the next
   * tick, so without waiting a cut right after a write would drop events already "sent".
   */
  writeEvent(data: string): Promise<void> {
    return new Promise((resolve) => {
      // A write to a dropped connection may never report back; the abort settles it instead.
      const done = (): void => {
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      if (this.aborted) return done();
      this.signal.addEventListener('abort', done, { once: true });
      this.res.write(`data: ${data}\n\n`, done);
    });
  }

  end(): void {
    this.res.end();
  }

  /** Drops the connection without finishing the response, as a crashed upstream or proxy would. */
  cut(): void {
    this.cutHere = true;
    this.res.socket?.destroy();
    this.res.destroy();
  }
}
