import { request } from 'node:http';
import { connect } from 'node:net';

/** One HTTP request exactly as a hostile client would write it. */
export interface RawRequest {
  method: string;
  /** Sent as is: percent-encodings, traversal and all. */
  path: string;
  headers?: Record<string, string | string[]>;
  /** A Buffer is sent byte for byte; a string as UTF-8. */
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked, in pieces of this many bytes. */
  chunked?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends a request with node:http and reads the whole response. The deadline only turns a hung
 * request into a failure.
 */
export function sendRaw(base: string, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const body =
      req.body === undefined
        ? undefined
        : Buffer.isBuffer(req.body)
          ? req.body
          : Buffer.from(req.body);
    const headers: Record<string, string | string[] | number> = { ...(req.headers ?? {}) };
    if (body && !req.chunked && !hasHeader(headers, 'content-length'))
      headers['Content-Length'] = body.length;
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${req.method} ${req.path} hung for ${timeoutMs} ms`)),
    );
    outgoing.on('error', reject);
    if (body && req.chunked) {
      for (let i = 0; i < body.length; i += req.chunked)
        outgoing.write(body.subarray(i, i + req.chunked));
    } else if (body) {
      outgoing.write(body);
    }
    outgoing.end();
  });
}

/**
 * Writes bytes straight to the socket, for requests node:http refuses to build (bytes that are
 * not valid in a request line or header), and reads until the server closes the connection (the
 * bytes should ask for `Connection: close`). The status is 0 when no response came.
 */
export function sendBytes(base: string, bytes: Buffer, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`raw request hung for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: match ? Number(match[1]) : 0,
        headers: {},
        text: split >= 0 ? text.slice(split + 4) : text,
      });
    });
    socket.once('connect', () => socket.write(bytes));
  });
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}
