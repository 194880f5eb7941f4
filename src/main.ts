import 'reflect-metadata';
import { version } from '../package.json';
import { BackingServiceUnavailableError } from './backing-services/backing-services.errors';
import { loadBootOptions } from './config/boot-options';
import { ConfigValidationError } from './config/config.errors';
import { startTracing } from './tracing/tracing';

/** A signal before the app is up: exit at once (embedded services are stopped on exit). */
function exitEarly(): void {
  process.exit(0);
}

async function main(): Promise<void> {
  process.once('SIGTERM', exitEarly).once('SIGINT', exitEarly);
  const boot = loadBootOptions();
  const { env, mode } = boot;
  // Before the application is loaded: the instrumentations patch express, NestJS, mongodb,
  // ioredis and pino as they are first required, which is by the import below.
  const tracing = startTracing({
    serviceName: env.OTEL_SERVICE_NAME,
    serviceVersion: version,
    mode,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const { startApp } = await import(/* webpackMode: "eager" */ './bootstrap/start-app.js');
  await startApp(boot, {
    tracing,
    // From here on a signal drains the application instead.
    onListening: () => process.off('SIGTERM', exitEarly).off('SIGINT', exitEarly),
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
