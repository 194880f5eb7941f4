import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { EmbeddedServices } from '../backing-services/embedded-services';
import { APP_VERSION, type BootOptions, settingsSnapshot } from '../config';
import type { Tracing } from '../tracing/tracing';
import { configureApp } from './configure-app';
import { installGracefulShutdown } from './graceful-shutdown';

export interface StartAppOptions {
  tracing?: Tracing;
  /** Called once the app listens, before its shutdown handlers are installed. */
  onListening?: () => void;
}

/** Creates the application for the mode, listens, logs the one startup line, handles signals. */
export async function startApp(
  { env, mode }: BootOptions,
  { tracing, onListening }: StartAppOptions = {},
): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ mode, prometheusEnabled: env.PROMETHEUS_ENABLED }),
    { bodyParser: false, bufferLogs: true, abortOnError: false },
  );
  configureApp(app, mode);
  const logger = app.get(Logger);
  const port = mode === 'worker' ? env.WORKER_HTTP_PORT : env.PORT;
  await app.listen(port);
  logger.log(
    {
      msg: `Listening on port ${port} in mode ${mode}`,
      port,
      version: APP_VERSION,
      // The mode this process runs in, whether it came from --mode or APP_MODE.
      settings: settingsSnapshot({ ...env, APP_MODE: mode }),
    },
    'Bootstrap',
  );
  const embedded = app.get(EmbeddedServices);
  onListening?.();
  installGracefulShutdown(app, {
    timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    logger,
    afterClose: async () => {
      await embedded.stop();
      await tracing?.shutdown();
    },
  });
}
