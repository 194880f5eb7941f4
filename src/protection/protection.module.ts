import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { ModuleImport } from '../common/module-import';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from '../auth/auth.module';
import { protectionConfig } from '../config';
import { ApiMetricsModule } from '../metrics/api-metrics.module';
import { RedisConnections } from '../redis/redis-connections';
import { BudgetGuard } from './budget.guard';
import { BudgetPolicy } from './budget-policy';
import { BudgetService } from './budget.service';
import { RATE_LIMIT_MESSAGE } from './protection.errors';
import { RATE_LIMIT_WINDOW_MS, RateLimitPolicy } from './rate-limit-policy';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisRateLimitStorage } from './rate-limit-storage';

/** What the module is, whoever provides the spend. */
const protection = {
  imports: [
    AuthModule,
    ApiMetricsModule,
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
};

/**
 * Request protection on the API side: the global rate limit and per-key USD budgets. Global so
 * that `@UseGuards(BudgetGuard)` works on any controller.
 */
@Global()
@Module({})
export class ProtectionModule {
  /**
   * `spend` is the module that provides SpendLedger (TasksModule), passed in by the composition
   * root because tasks applies the budget guard and so imports this folder.
   */
  static register(spend: ModuleImport): DynamicModule {
    return { module: ProtectionModule, ...protection, imports: [spend, ...protection.imports] };
  }
}
