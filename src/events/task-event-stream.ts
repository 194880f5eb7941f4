import { taskEventGroup, taskGroupTag } from '../redis/redis-keys';
import { isFinalStatus, type TaskEvent } from './task-event';

/*
 * A task's keys carry the hash tag of its group, `{g<k>}` with k from the task id: the three keys
 * the append script writes share a slot, and the streams of a group can be followed with one
 * XREAD on one cluster node.
 */

/** The Redis Stream holding one task's events; entry ids are the SSE event ids. */
export function taskStreamKey(taskId: string): string {
  return `task_events:${taskGroupTag(taskEventGroup(taskId))}:${taskId}`;
}

export function taskSeqKey(taskId: string): string {
  return `task_events_seq:${taskGroupTag(taskEventGroup(taskId))}:${taskId}`;
}

/** Set when the task's final status event was appended, so it is appended once. */
export function taskFinalKey(taskId: string): string {
  return `task_events_final:${taskGroupTag(taskEventGroup(taskId))}:${taskId}`;
}

/** An event as read back from a stream, with the entry id it was stored under. */
export interface StoredTaskEvent {
  id: string;
  event: TaskEvent;
}

/** The shape of a stream entry id, `<ms>-<n>`; isValidStreamId also checks each part's range. */
export const STREAM_ID = /^[0-9]{1,20}-[0-9]{1,20}$/;

/** The largest part of a Redis stream id: each part is an unsigned 64-bit integer. */
const MAX_ID_PART = '18446744073709551615';

/** Whether `id` is a stream id Redis accepts: `<ms>-<n>`, each part at most 2^64 − 1. */
export function isValidStreamId(id: string): boolean {
  if (!STREAM_ID.test(id)) return false;
  const dash = id.indexOf('-');
  return (
    compareDigits(id.slice(0, dash), MAX_ID_PART) <= 0 &&
    compareDigits(id.slice(dash + 1), MAX_ID_PART) <= 0
  );
}

/**
 * The SSE id a final status event is sent with: its entry id's successor (`<ms>-<n+1>`), which
 * no entry of the finished stream has. A client that got the final event reconnects with it and
 * is answered 204 (EventSource then stops); any other id at or past the final event gets the
 * final event again, under this id.
 */
export function closingId(finalEntryId: string): string {
  const dash = finalEntryId.indexOf('-');
  const seq = BigInt(finalEntryId.slice(dash + 1)) + 1n;
  return `${finalEntryId.slice(0, dash)}-${seq}`;
}

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

/**
 * Orders stream ids numerically (`10-0` after `9-5`), without parsing them: the SSE follower
 * compares ids for every subscriber of every event, so this runs thousands of times a second.
 */
export function compareStreamIds(a: string, b: string): number {
  const aDash = a.indexOf('-');
  const bDash = b.indexOf('-');
  return (
    compareDigits(a.slice(0, aDash), b.slice(0, bDash)) ||
    compareDigits(a.slice(aDash + 1), b.slice(bDash + 1))
  );
}

/** Compares two non-negative decimal integers of any length given as digit strings. */
function compareDigits(a: string, b: string): number {
  const x = withoutLeadingZeros(a);
  const y = withoutLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function withoutLeadingZeros(digits: string): string {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  return start === 0 ? digits : digits.slice(start);
}

export function isFinal(event: TaskEvent): boolean {
  return event.type === 'status' && isFinalStatus(event.status);
}
