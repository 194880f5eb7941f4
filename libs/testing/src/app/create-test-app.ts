import type { ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { AppModule } from '../../../../src/app.module';
import { configureApp } from '../../../../src/bootstrap/configure-app';
import type { AppMode } from '../../../../src/config';
import { redisEnv, testBackends, type TestBackends } from '../backends/test-backends';
import { LogCapture } from './log-capture';
import { applyEnv } from './scoped-env';

export interface TestAppOptions {
  mode?: AppMode;
  /** Environment for this app, on top of the test backends (e.g. API_KEYS, REDIS_URL). */
  env?: Record<string, string | undefined>;
  /** Extra test-only controllers or providers, e.g. a route that throws. */
  extra?: Pick<ModuleMetadata, 'controllers' | 'providers' | 'imports'>;
  /** Override only the external edge (LLM client, clock, ...). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Listen on a real port (SSE, child processes); supertest works either way. */
  listen?: boolean;
  /** Share another app's database and Redis prefix (an API app and a worker app, say). */
  backends?: TestBackends;
  /** Leave the database in place on close (another app still uses it). */
  keepDatabase?: boolean;
}

export interface TestApp {
  app: NestExpressApplication;
  backends: TestBackends;
  logs: LogCapture;
  /** Base URL when listening. */
  url?: string;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule against the test MongoDB and Redis, with the real HTTP stack
 * (body parsing, validation, the exception filter, Swagger), each app in its own database and
 * Redis key prefix.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const backends = options.backends ?? testBackends();
  const mode = options.mode ?? 'all';
  const restoreEnv = applyEnv({
    ENVIRONMENT: 'test',
    MONGO_URI: backends.mongoUri,
    MONGO_DB_NAME: backends.mongoDbName,
    ...redisEnv(backends),
    REDIS_GLOBAL_KEYPREFIX: backends.redisKeyPrefix,
    API_KEYS: '',
    ...options.env,
  });
  const logs = new LogCapture();
  // nestjs-pino keeps the first app's logger for logs outside a request; each test app has its own.
  __resetOutOfContextForTests();
  try {
    let builder = Test.createTestingModule({
      imports: [
        AppModule.forRoot({ mode, prometheusEnabled: true, logDestination: logs }),
        ...(options.extra?.imports ?? []),
      ],
      controllers: options.extra?.controllers ?? [],
      providers: options.extra?.providers ?? [],
    });
    if (options.override) builder = options.override(builder);
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({
      bodyParser: false,
      bufferLogs: true,
    });
    configureApp(app, mode);
    let url: string | undefined;
    if (options.listen) {
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
      url = url.replace('[::1]', '127.0.0.1');
    } else {
      await app.init();
    }
    return {
      app,
      backends,
      logs,
      url,
      close: async () => {
        try {
          if (!options.keepDatabase) {
            const connection = app.get<Connection>(getConnectionToken());
            await connection.dropDatabase().catch(() => undefined);
          }
        } finally {
          await app.close();
          restoreEnv();
        }
      },
    };
  } catch (err) {
    restoreEnv();
    throw err;
  }
}
