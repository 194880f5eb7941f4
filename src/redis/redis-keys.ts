import { crc32 } from 'node:zlib';

/*
 * The slot rules every Redis key of the service follows, so that each also runs on a Redis
 * Cluster (README, "Redis key layout"). A cluster hashes only a key's hash tag, the text between
 * its first `{` and the next `}`, when there is one; keys with the same tag share a slot, and a
 * multi-key command or Lua script may only touch keys of one slot.
 */

/**
 * Task event streams are spread over this many tag groups. Fixed: a task's group is derived from
 * its id by every api and worker process, so changing it would hide every existing stream.
 */
export const TASK_EVENT_GROUPS = 16;

/** The hash tag of a key as Redis Cluster computes it, or undefined when it has none. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** The cluster slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key, mod 16384. */
export function clusterSlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(hashTag(key) ?? key)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc % 16384;
}

/**
 * BullMQ's key prefix, `{<REDIS_GLOBAL_KEYPREFIX>bull}`: every key of every queue in one slot, as
 * BullMQ's scripts need. Anything else that must change queue state atomically with a job (a Lua
 * script over queue keys) takes its keys under this tag too.
 */
export function queueHashTag(keyPrefix: string): string {
  return `{${keyPrefix}bull}`;
}

/** The tag group (0..TASK_EVENT_GROUPS-1) of a task, from its id. */
export function taskEventGroup(taskId: string): number {
  return crc32(taskId) % TASK_EVENT_GROUPS;
}

/** `{g<k>}`: the hash tag shared by every key of the tasks of group k. */
export function taskGroupTag(group: number): string {
  return `{g${group}}`;
}

/**
 * Throws unless every key carries the same hash tag: the construction rule for a Lua script's
 * keys, checked on every call so that a script breaking it fails on one node as it would on a
 * cluster (CROSSSLOT), instead of only in production.
 */
export function assertOneSlot(keys: readonly string[]): void {
  if (keys.length < 2) return;
  const tag = hashTag(keys[0]);
  const stray = keys.find((key) => tag === undefined || hashTag(key) !== tag);
  if (stray !== undefined) {
    throw new Error(
      `Keys of one script must share a hash tag, so they share a cluster slot: ${keys.join(', ')}`,
    );
  }
}
