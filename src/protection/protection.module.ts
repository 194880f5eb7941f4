import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from '../auth/auth.module';
import { protectionConfig } from '../config';
import { ApiMetricsModule } from '../metrics/api-metrics.module';
import { RedisConnections } from '../redis/redis-connections';
import { TasksCoreModule } from '../tasks/tasks-core.module';
import { BudgetGuard } from './budget.guard';
import { BudgetPolicy } from './budget-policy';
import { BudgetService } from './budget.service';
import { RATE_LIMIT_MESSAGE } from './protection.errors';
import { RATE_LIMIT_WINDOW_MS, RateLimitPolicy } from './rate-limit-policy';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisRateLimitStorage } from './rate-limit-storage';

/**
 * Request protection on the API side: the global rate limit and per-key USD budgets. Global so
 * that `@UseGuards(BudgetGuard)` works on any controller.
 */
@Global()
@Module({
  imports: [
    AuthModule,
    ApiMetricsModule,
    TasksCoreModule,
    ThrottlerModule.forRootAsync({
      inject: [RedisConnections, protectionConfig.KEY],
      useFactory: async (redis: RedisConnections, config: ConfigType<typeof protectionConfig>) => ({
        throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: config.rateLimitPerMinute }],
        storage: await RedisRateLimitStorage.create(redis, config.rateLimitEnabled),
        errorMessage: RATE_LIMIT_MESSAGE,
      }),
    }),
  ],
  providers: [
    RateLimitPolicy,
    BudgetPolicy,
    BudgetService,
    BudgetGuard,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [BudgetService, BudgetGuard],
})
export class ProtectionModule {}
