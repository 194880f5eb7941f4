import type { TaskRecord, TaskStatus } from './task.record';

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

/** The status event of a task that just reached a final state, with what listeners need. */
export function finalStatusEvent(
  task: Pick<
    TaskRecord,
    'task_id' | 'status' | 'selected_agent' | 'agent_type' | 'created_at' | 'completed_at'
  >,
  data: Record<string, unknown> = {},
): TaskEventInput {
  const end = task.completed_at ? new Date(task.completed_at).getTime() : Date.now();
  return {
    task_id: task.task_id,
    type: 'status',
    status: task.status,
    data: {
      agent: task.selected_agent,
      agent_type: task.agent_type,
      duration_ms: end - new Date(task.created_at).getTime(),
      ...data,
    },
  };
}
