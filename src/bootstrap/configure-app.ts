import type { ConfigType } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from '../common/http/validation.pipe';
import { type AppMode, appConfig } from '../config';
import { installHttpObservability } from '../metrics/http-observability';
import { mountSwagger } from './swagger';

/** Response headers browsers may read cross-origin. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Total-Count',
  'Link',
  'Idempotent-Replayed',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/** Everything about the HTTP application that is not a module: shared by main.ts and the test app factory. */
export function configureApp(app: NestExpressApplication, mode: AppMode): void {
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.disable('x-powered-by');
  // First in the stack, so every request is timed, traced and counted, refused ones included.
  installHttpObservability(app);
  if (config.trustProxy) app.set('trust proxy', true);
  app.useGlobalPipes(createValidationPipe());
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      exposedHeaders: EXPOSED_HEADERS,
    });
  }
  if (mode !== 'worker') mountSwagger(app, { title: config.name, version: config.version });
}
