import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WebhookProcessor } from '../webhooks/webhook.processor';
import { TaskCancellationListener } from './task-cancellation';
import { TaskProcessor } from './task.processor';
import { TaskReconciler } from './task-reconciler.service';
import { TaskRunner } from './task-runner.service';
import { TasksCoreModule } from './tasks-core.module';

/** The worker side of tasks: the queue processor, the runner and the reconciler. */
@Module({
  imports: [TasksCoreModule, SessionsModule, AgentsModule],
  providers: [
    TaskRunner,
    TaskProcessor,
    TaskReconciler,
    TaskCancellationListener,
    WebhookProcessor,
  ],
  exports: [TaskReconciler],
})
export class TaskWorkerModule {}
