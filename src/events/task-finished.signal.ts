import { Injectable, Logger } from '@nestjs/common';
import type { FinalStatus } from './task-event';

/** What `task.finished` tells its listeners: the task's end, as TaskLifecycle recorded it. */
export interface TaskFinished {
  task_id: string;
  session_id: string;
  status: FinalStatus;
  /** The selected agent, or null when the task never got one. */
  agent: string | null;
  agent_type: string | null;
  /** From acceptance to the final state. */
  duration_ms: number;
  /** Where the task's completion webhook goes, or null. */
  webhook_url: string | null;
}

export type TaskFinishedListener = (finished: TaskFinished) => void | Promise<void>;

/**
 * The in-process `task.finished` signal. TaskLifecycle emits it once for every task ending it
 * announces (see TaskLifecycle); metrics and webhooks listen, so they never re-derive an ending
 * from the event stream. `emit` waits for every listener, so the ending's final event, which
 * TaskLifecycle publishes after it, comes only once they have acted. A listener's failure is its
 * own: it is logged and never reaches the task.
 */
@Injectable()
export class TaskFinishedSignal {
  private readonly logger = new Logger('TaskFinished');
  private readonly listeners = new Set<TaskFinishedListener>();

  /** Registers a listener; the returned function removes it. */
  on(listener: TaskFinishedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async emit(finished: TaskFinished): Promise<void> {
    const outcomes = await Promise.allSettled(
      [...this.listeners].map(async (listener) => listener(finished)),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        this.logger.warn({
          task_id: finished.task_id,
          err: outcome.reason as unknown,
          msg: 'A task.finished listener failed',
        });
      }
    }
  }
}
