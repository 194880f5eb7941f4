import type { TaskEventInput } from './task-event';

/**
 * Where a task's progress goes. Everything that changes a task publishes through this one
 * interface; subscribers (SSE) read from its implementation.
 */
export abstract class TaskEventsPublisher {
  abstract publish(event: TaskEventInput): Promise<void>;
}
