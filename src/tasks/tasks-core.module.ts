import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TaskEventsModule } from '../events/task-events.module';
import { SessionsModule } from '../sessions/sessions.module';
import { WebhookDispatcher } from '../webhooks/webhook-queue';
import { AGENT_RUN_MODEL, AgentRunSchema } from './agent-run.schema';
import { AgentRunsRepository } from './agent-runs.repository';
import { TASK_MODEL, TaskSchema } from './task.schema';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueueProducer } from './task-queue.producer';
import { TasksRepository } from './tasks.repository';

/** Mode-neutral task plumbing: the collections, the queues and the event stream. */
@Module({
  imports: [
    TaskEventsModule,
    SessionsModule,
    MongooseModule.forFeature([
      { name: TASK_MODEL, schema: TaskSchema },
      { name: AGENT_RUN_MODEL, schema: AgentRunSchema },
    ]),
  ],
  providers: [
    TasksRepository,
    AgentRunsRepository,
    TaskQueueProducer,
    TaskLifecycle,
    WebhookDispatcher,
  ],
  exports: [
    TasksRepository,
    AgentRunsRepository,
    TaskQueueProducer,
    TaskEventsModule,
    TaskLifecycle,
    WebhookDispatcher,
  ],
})
export class TasksCoreModule {}
