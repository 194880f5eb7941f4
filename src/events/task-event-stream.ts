import type { TaskEvent } from '../tasks/task-event';

/** The Redis Stream holding one task's events; entry ids are the SSE event ids. */
export function taskStreamKey(taskId: string): string {
  return `task_events:${taskId}`;
}

export function taskSeqKey(taskId: string): string {
  return `task_events_seq:${taskId}`;
}

/** Set when the task's final status event was appended, so it is appended once. */
export function taskFinalKey(taskId: string): string {
  return `task_events_final:${taskId}`;
}

/** An event as read back from a stream, with the entry id it was stored under. */
export interface StoredTaskEvent {
  id: string;
  event: TaskEvent;
}

/** A stream entry id, `<ms>-<n>`; anything else is refused before it reaches Redis. */
export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Decodes XRANGE/XREAD field lists (`['e', json]`). Entries that are not ours are skipped. */
export function decodeEntry(id: string, fields: string[]): StoredTaskEvent | undefined {
  const index = fields.indexOf('e');
  if (index < 0 || index + 1 >= fields.length) return undefined;
  try {
    return { id, event: JSON.parse(fields[index + 1]) as TaskEvent };
  } catch {
    return undefined;
  }
}

/** Orders stream ids numerically (`10-0` after `9-5`). */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

export const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);

export function isFinal(event: TaskEvent): boolean {
  return event.type === 'status' && event.status !== undefined && FINAL_STATUSES.has(event.status);
}
