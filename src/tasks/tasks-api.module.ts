import { type DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import type { ModuleImport } from '../common/module-import';
import { TaskEventsModule } from '../events/task-events.module';
import { ApiMetricsModule } from '../metrics/api-metrics.module';
import { SessionsModule } from '../sessions/sessions.module';
import { IdempotencyService } from './idempotency.service';
import { TaskCancellationSignal } from './task-cancellation';
import { TasksController } from './tasks.controller';
import { TasksModule } from './tasks.module';
import { TasksService } from './tasks.service';

/** The HTTP side of tasks: submit, list, read and cancel. */
@Module({})
export class TasksApiModule {
  /**
   * `webhooks` is the module that provides WebhookTargets (WebhooksModule), passed in by the
   * composition root because webhooks reads tasks and so imports this folder.
   */
  static register(webhooks: ModuleImport): DynamicModule {
    return {
      module: TasksApiModule,
      imports: [
        TasksModule,
        TaskEventsModule,
        ApiMetricsModule,
        SessionsModule,
        AgentsModule,
        webhooks,
      ],
      controllers: [TasksController],
      providers: [TasksService, IdempotencyService, TaskCancellationSignal],
    };
  }
}
