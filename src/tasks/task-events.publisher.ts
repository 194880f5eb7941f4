import type { TaskEvent, TaskEventInput } from './task-event';

/** `repeat`: a final status event published again (see TaskEventsPublisher); not stored twice. */
export interface LocalDelivery {
  repeat: boolean;
}

export type LocalTaskEventListener = (event: TaskEvent, delivery: LocalDelivery) => void;

/**
 * Where a task's progress goes. Everything that changes a task publishes through this one
 * interface; remote subscribers (SSE) read from its implementation's store, and in-process
 * listeners (metrics, webhooks) are told of every event this process publishes.
 *
 * Final status events (completed, failed, cancelled) carry `data.agent` (the selected agent, or
 * null) and `data.duration_ms` (from acceptance to the final state). A task's final event is
 * stored once: publishing it again (the re-run of a job whose worker died right after finishing
 * the task, which cannot know whether the first publish happened) stores nothing and tells
 * in-process listeners with `repeat: true`, so idempotent ones (webhook scheduling) act and
 * counting ones (metrics) do not count twice.
 */
export abstract class TaskEventsPublisher {
  private readonly listeners = new Set<LocalTaskEventListener>();

  abstract publish(event: TaskEventInput): Promise<void>;

  /** Registers an in-process listener; the returned function removes it. */
  onPublished(listener: LocalTaskEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For implementations: tell in-process listeners. A throwing listener never breaks publishing. */
  protected notifyLocal(event: TaskEvent, delivery: LocalDelivery): void {
    for (const listener of this.listeners) {
      try {
        listener(event, delivery);
      } catch {
        // a listener's own failure is its own business
      }
    }
  }
}
