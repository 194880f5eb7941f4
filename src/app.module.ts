import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { ApiModule } from './api.module';
import { BackingServicesModule } from './backing-services/backing-services.module';
import { BusinessLogsModule } from './business-logs/business-logs.module';
import { JsonBodyMiddleware } from './common/http/json-body.middleware';
import { AppExceptionFilter } from './common/http/app-exception.filter';
import { StrictQueryMiddleware } from './common/http/strict-query.middleware';
import { type AppMode, AppConfigModule } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';
import { QueuesModule } from './queues/queues.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkerModule } from './worker.module';

export interface AppModuleOptions {
  mode: AppMode;
  prometheusEnabled: boolean;
  /** Where logs go; stdout when absent. Tests pass a capturing stream. */
  logDestination?: DestinationStream;
}

/** Mode-neutral modules first; then the API side, the worker side, or both, as the mode says. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const sides: DynamicModule['imports'] = [];
    if (options.mode !== 'worker') sides.push(ApiModule);
    if (options.mode !== 'api') sides.push(WorkerModule);
    return {
      module: AppModule,
      imports: [
        AppConfigModule,
        LoggingModule.forRoot({ mode: options.mode, destination: options.logDestination }),
        BackingServicesModule,
        DatabaseModule,
        RedisModule,
        QueuesModule,
        BusinessLogsModule,
        // Whichever process finishes a task schedules its webhook.
        WebhooksModule,
        HealthModule,
        MetricsModule.forRoot({ enabled: options.prometheusEnabled, mode: options.mode }),
        ...sides,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppExceptionFilter },
        JsonBodyMiddleware,
        StrictQueryMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StrictQueryMiddleware, JsonBodyMiddleware).forRoutes('*path');
  }
}
