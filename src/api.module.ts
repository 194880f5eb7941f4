import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { ProtectionModule } from './protection/protection.module';
import { SystemMetricsModule } from './system-metrics/system-metrics.module';
import { TasksApiModule } from './tasks/tasks-api.module';
import { UsageModule } from './usage/usage.module';

/** The HTTP API side of the process (modes api and all): every /v1 controller lives under here. */
@Module({
  imports: [
    // First, so the rate limit (a global guard) runs before the API-key guard and also limits
    // callers presenting wrong keys, by IP. It finds the key id itself, so the order is no
    // matter of correctness.
    ProtectionModule,
    AuthModule,
    TasksApiModule,
    ConsoleModule,
    SystemMetricsModule,
    UsageModule,
    AdminModule,
  ],
})
export class ApiModule {}
