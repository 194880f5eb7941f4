import { Module } from '@nestjs/common';
import { SseStreams } from './sse-streams';
import { TaskEventsPublisher } from './task-events.publisher';
import { TaskFinishedSignal } from './task-finished.signal';

/**
 * Mode-neutral task events: the publisher (the Redis Streams writer), the in-process
 * `task.finished` signal, and the registry of this process's open event streams. Whoever
 * finishes a task (api or worker) publishes and signals here.
 */
@Module({
  providers: [TaskEventsPublisher, TaskFinishedSignal, SseStreams],
  exports: [TaskEventsPublisher, TaskFinishedSignal, SseStreams],
})
export class TaskEventsModule {}
