import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StreamedTasks } from '../events/streamed-tasks';
import { TaskEventsModule } from '../events/task-events.module';
import { SpendLedger } from '../protection/spend-ledger';
import { QueuesModule } from '../queues/queues.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AGENT_RUN_MODEL, AgentRunSchema } from './agent-run.schema';
import { AgentRunsRepository } from './agent-runs.repository';
import { TASK_MODEL, TaskSchema } from './task.schema';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueueProducer } from './task-queue.producer';
import { TaskStreamSource } from './task-stream-source';
import { TasksRepository } from './tasks.repository';

/**
 * Mode-neutral tasks: the collections, the queue producer and TaskLifecycle, plus what other
 * folders read of tasks through their own abstractions (the SSE endpoint's StreamedTasks, the
 * budgets' SpendLedger).
 */
@Module({
  imports: [
    TaskEventsModule,
    QueuesModule,
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
    { provide: StreamedTasks, useClass: TaskStreamSource },
    { provide: SpendLedger, useExisting: TasksRepository },
  ],
  exports: [
    TasksRepository,
    AgentRunsRepository,
    TaskQueueProducer,
    TaskLifecycle,
    StreamedTasks,
    SpendLedger,
  ],
})
export class TasksModule {}
