import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { AgentsApiModule } from './agents/agents-api.module';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { TaskEventsApiModule } from './events/task-events-api.module';
import { ProtectionModule } from './protection/protection.module';
import { SessionsApiModule } from './sessions/sessions-api.module';
import { SystemMetricsApiModule } from './system-metrics/system-metrics-api.module';
import { TasksApiModule } from './tasks/tasks-api.module';
import { TasksModule } from './tasks/tasks.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The HTTP API side of the process (modes api and all): every /v1 controller, each registered by
 * its own folder's module. Where a folder needs a provider from a folder that imports it, the
 * provider's module is passed here (`register(...)`), so no folder imports one that imports it.
 */
@Module({
  imports: [
    // First, so the rate limit (a global guard) runs before the API-key guard and also limits
    // callers presenting wrong keys, by IP. It finds the key id itself, so the order is no
    // matter of correctness.
    ProtectionModule.register(TasksModule),
    AuthModule,
    TasksApiModule.register(WebhooksModule),
    TaskEventsApiModule.register(TasksModule),
    SessionsApiModule,
    AgentsApiModule,
    ConsoleModule,
    SystemMetricsApiModule,
    UsageModule,
    AdminModule,
  ],
})
export class ApiModule {}
