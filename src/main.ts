import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { EmbeddedServices } from './backing-services/embedded-services';
import { BackingServiceUnavailableError } from './backing-services/backing-services.errors';
import { configureApp } from './bootstrap/configure-app';
import { installGracefulShutdown } from './bootstrap/graceful-shutdown';
import { APP_VERSION, ConfigValidationError, loadBootOptions, settingsSnapshot } from './config';
import { startTracing } from './tracing/tracing';

/** A signal before the app is up: exit at once (embedded services are stopped on exit). */
function exitEarly(): void {
  process.exit(0);
}

async function main(): Promise<void> {
  process.once('SIGTERM', exitEarly).once('SIGINT', exitEarly);
  const { env, mode } = loadBootOptions();
  // Before the application exists, so every span (HTTP, queue, LLM) has a provider to go to.
  const tracing = startTracing({
    serviceName: env.OTEL_SERVICE_NAME,
    serviceVersion: APP_VERSION,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
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
      settings: settingsSnapshot(env),
    },
    'Bootstrap',
  );
  const embedded = app.get(EmbeddedServices);
  process.off('SIGTERM', exitEarly).off('SIGINT', exitEarly);
  installGracefulShutdown(app, {
    timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    logger,
    afterClose: async () => {
      await embedded.stop();
      await tracing?.shutdown();
    },
  });
}

main().catch((err: unknown) => {
  // Configuration and missing services are the user's to fix: one line that says what to do.
  if (err instanceof ConfigValidationError || err instanceof BackingServiceUnavailableError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(
      `Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
