import type { TaskStatus } from './task.record';

export type TaskEventType =
  'status' | 'routing' | 'agent_started' | 'agent_finished' | 'delta' | 'usage';

/** A status event's status: a task status, or `retrying` between attempts. */
export type EventStatus = TaskStatus | 'retrying';

export interface TaskEventInput {
  task_id: string;
  type: TaskEventType;
  status?: EventStatus;
  data?: Record<string, unknown>;
}

/** One event of a task's progress, as published. `seq` orders a task's events. */
export interface TaskEvent extends TaskEventInput {
  seq: number;
  at: string;
}
