import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RedisStreamTaskEvents } from '../events/redis-stream-task-events';
import { WebhookDispatcher } from '../webhooks/webhook-queue';
import { AGENT_RUN_MODEL, AgentRunSchema } from './agent-run.schema';
import { AgentRunsRepository } from './agent-runs.repository';
import { TASK_MODEL, TaskSchema } from './task.schema';
import { TaskEventsPublisher } from './task-events.publisher';
import { TaskQueueProducer } from './task-queue.producer';
import { TasksRepository } from './tasks.repository';

/** Mode-neutral task plumbing: the collections, the queues and the event stream. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: TASK_MODEL, schema: TaskSchema },
      { name: AGENT_RUN_MODEL, schema: AgentRunSchema },
    ]),
  ],
  providers: [
    TasksRepository,
    AgentRunsRepository,
    TaskQueueProducer,
    { provide: TaskEventsPublisher, useClass: RedisStreamTaskEvents },
    WebhookDispatcher,
  ],
  exports: [
    TasksRepository,
    AgentRunsRepository,
    TaskQueueProducer,
    TaskEventsPublisher,
    WebhookDispatcher,
  ],
})
export class TasksCoreModule {}
