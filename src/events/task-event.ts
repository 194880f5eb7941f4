/*
 * The event type of a task's progress, as stored in its stream and sent over SSE. Statuses are
 * written out here rather than taken from the tasks folder: tasks publishes through this folder,
 * so this folder cannot import it back.
 */

export type TaskEventType =
  'status' | 'routing' | 'agent_started' | 'agent_finished' | 'delta' | 'usage';

/** The statuses a task ends in; its stream closes after the event with one of them. */
export const FINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** A status event's status: a task status, or `retrying` between attempts. */
export type EventStatus = 'queued' | 'processing' | 'retrying' | FinalStatus;

export function isFinalStatus(status: string | undefined): status is FinalStatus {
  return (FINAL_STATUSES as readonly (string | undefined)[]).includes(status);
}

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

/** What a task's final status event is built from (a subset of the stored task). */
export interface FinishedTaskFields {
  task_id: string;
  status: FinalStatus;
  selected_agent: string | null;
  agent_type: string | null;
  created_at: Date;
  completed_at: Date | null;
}

/** The status event of a task that just reached a final state, with what listeners need. */
export function finalStatusEvent(
  task: FinishedTaskFields,
  data: Record<string, unknown> = {},
): TaskEventInput {
  return {
    task_id: task.task_id,
    type: 'status',
    status: task.status,
    data: {
      agent: task.selected_agent,
      agent_type: task.agent_type,
      duration_ms: durationMs(task),
      ...data,
    },
  };
}

/** From acceptance to the final state. */
export function durationMs(task: Pick<FinishedTaskFields, 'created_at' | 'completed_at'>): number {
  const end = task.completed_at ? new Date(task.completed_at).getTime() : Date.now();
  return end - new Date(task.created_at).getTime();
}
