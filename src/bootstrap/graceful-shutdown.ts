import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { SseStreams } from '../events/sse-streams';

/** The last line an open event stream gets when its process stops. */
export const SHUTDOWN_COMMENT = 'server shutting down: reconnect with Last-Event-ID to resume';

/**
 * On SIGTERM/SIGINT: stop accepting connections, end every open event stream with a last comment
 * (EventSource reconnects, to another replica, with its Last-Event-ID), let in-flight requests
 * finish, then close the app: active jobs finish in the worker, MongoDB and Redis close, and the
 * process exits 0. An open stream would otherwise hold the server open until the timeout. If it
 * takes longer than SHUTDOWN_TIMEOUT_MS the process exits 1 so the orchestrator sees it.
 */
export function installGracefulShutdown(
  app: INestApplication,
  options: { timeoutMs: number; logger: LoggerService; afterClose: () => Promise<void> },
): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    options.logger.log(
      `${signal} received: shutting down (at most ${options.timeoutMs} ms)`,
      'Shutdown',
    );
    const timer = setTimeout(() => {
      options.logger.error(
        `Shutdown did not finish within ${options.timeoutMs} ms; exiting`,
        undefined,
        'Shutdown',
      );
      process.exit(1);
    }, options.timeoutMs);
    timer.unref();
    const server = app.getHttpServer() as Server;
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    app.get(SseStreams, { strict: false }).endAll(SHUTDOWN_COMMENT);
    // The ended streams' connections go idle once their last bytes are out; close them then
    // rather than after the keep-alive timeout.
    setTimeout(() => server.closeIdleConnections(), 200).unref();
    void drained
      .then(() => app.close())
      .then(() => options.afterClose())
      .then(
        () => {
          options.logger.log('Shutdown complete', 'Shutdown');
          process.exit(0);
        },
        (err: unknown) => {
          options.logger.error(`Shutdown failed: ${String(err)}`, undefined, 'Shutdown');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
