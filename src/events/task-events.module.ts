import { Module } from '@nestjs/common';
import { TaskEventsPublisher } from './task-events.publisher';
import { TaskFinishedSignal } from './task-finished.signal';

/**
 * Mode-neutral task events: the publisher (the Redis Streams writer) and the in-process
 * `task.finished` signal. Whoever finishes a task (api or worker) publishes and signals here.
 */
@Module({
  providers: [TaskEventsPublisher, TaskFinishedSignal],
  exports: [TaskEventsPublisher, TaskFinishedSignal],
})
export class TaskEventsModule {}
