import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpExchange } from './http-exchange';

export type ExchangeHandler = (exchange: HttpExchange) => Promise<void>;

/**
 * A node:http server on 127.0.0.1 that tracks its in-flight handlers, so `close()` can cut
 * every connection (keep-alive and held ones included) and return only once nothing of it
 * is left running in the test process.
 */
export class LoopbackServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly inFlight: Set<Promise<void>>,
  ) {}

  static async listen(handler: ExchangeHandler, port = 0): Promise<LoopbackServer> {
    const inFlight = new Set<Promise<void>>();
    const server = createServer((req, res) => {
      const exchange = new HttpExchange(req, res);
      const run = handler(exchange)
        // A handler bug must not take the test process down; the client sees a dropped connection.
        .catch(() => exchange.cut())
        .finally(() => inFlight.delete(run));
      inFlight.add(run);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new LoopbackServer(server, (server.address() as AddressInfo).port, inFlight);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once no request is being handled, e.g. after a client gave up on one. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    await Promise.allSettled([...this.inFlight]);
  }
}
