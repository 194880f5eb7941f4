import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AgentsModule } from '../agents/agents.module';
import { queueConfig } from '../config';
import { TaskEventsModule } from '../events/task-events.module';
import { configuredProcessor } from '../queues/configured-processor';
import { TASK_QUEUE } from '../queues/queue-names';
import { workerOptions } from '../queues/queue-options';
import { RedisConnections } from '../redis/redis-connections';
import { SessionsModule } from '../sessions/sessions.module';
import { TaskCancellationListener } from './task-cancellation';
import { TaskProcessor } from './task.processor';
import { TaskReconciler } from './task-reconciler.service';
import { TaskRunner } from './task-runner.service';
import { TasksModule } from './tasks.module';

/** The worker side of tasks: the queue processor, the runner and the reconciler. */
@Module({
  imports: [TasksModule, TaskEventsModule, SessionsModule, AgentsModule],
  providers: [
    TaskRunner,
    configuredProcessor({
      processor: TaskProcessor,
      queue: TASK_QUEUE,
      inject: [RedisConnections, queueConfig.KEY],
      workerOptions: (redis: RedisConnections, config: ConfigType<typeof queueConfig>) =>
        workerOptions(redis, 'worker', {
          concurrency: config.concurrency,
          lockDuration: config.lockDurationMs,
          stalledInterval: config.stalledIntervalMs,
          maxStalledCount: config.maxStalledCount,
        }),
    }),
    TaskReconciler,
    TaskCancellationListener,
  ],
  exports: [TaskReconciler],
})
export class TasksWorkerModule {}
