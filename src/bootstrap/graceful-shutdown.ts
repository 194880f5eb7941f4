import type { INestApplication, LoggerService } from '@nestjs/common';

/**
 * On SIGTERM/SIGINT: stop accepting connections, let in-flight requests (and, in the worker,
 * active jobs) finish, close MongoDB and Redis, then exit 0. If that takes longer than
 * SHUTDOWN_TIMEOUT_MS the process exits 1 so the orchestrator sees an unclean stop.
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
    void app
      .close()
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
