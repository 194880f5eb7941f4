import type { Logger } from '@nestjs/common';
import { BlockingReader, type XReadReply } from '../redis/blocking-reader';
import type { RedisConnections } from '../redis/redis-connections';
import { compareStreamIds, decodeEntry, type StoredTaskEvent } from './task-event-stream';

const BLOCK_MS = 5000;
const BATCH = 500;
/** A group without followers for this long gives its connection back. */
export const READER_IDLE_CLOSE_MS = 10_000;

export interface Follower {
  lastId: string;
  deliver(events: StoredTaskEvent[]): void;
}

/**
 * Follows the open streams of ONE tag group with one blocking connection: an `XREAD BLOCK` over
 * the group's followed streams (they share a slot, so one cluster node serves them all),
 * restarted (CLIENT UNBLOCK) when the set changes. Each follower gets only entries after its own
 * last id, so none is skipped or repeated. The connection opens with the group's first follower
 * and closes once the group has had none for READER_IDLE_CLOSE_MS.
 */
export class StreamGroupFollower {
  private readonly followers = new Map<string, Set<Follower>>();
  private reader?: BlockingReader;
  private loop?: Promise<void>;
  private stopped = false;
  private idle?: () => void;
  private wakeScheduled = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** Follows `key` (a full stream key of this group); returns the unfollow function. */
  follow(key: string, follower: Follower): () => void {
    let set = this.followers.get(key);
    if (!set) this.followers.set(key, (set = new Set()));
    set.add(follower);
    if (!this.loop && !this.stopped) this.loop = this.run();
    this.wake();
    return () => {
      const current = this.followers.get(key);
      if (!current) return;
      current.delete(follower);
      if (current.size === 0) this.followers.delete(key);
    };
  }

  get size(): number {
    let n = 0;
    for (const set of this.followers.values()) n += set.size;
    return n;
  }

  /** Whether this group holds a Redis connection now. */
  get connected(): boolean {
    return this.reader !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.idle?.();
    await this.reader?.interrupt();
    this.reader?.close();
    await this.loop;
  }

  /** Restarts a blocked XREAD so it includes streams followed since it began. */
  private wake(): void {
    if (this.idle) {
      const resume = this.idle;
      this.idle = undefined;
      resume();
      return;
    }
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      void this.reader?.interrupt();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.followers.size === 0) {
        if ((await this.idleTimedOut()) && this.followers.size === 0) break;
        continue;
      }
      this.reader ??= new BlockingReader(this.redis, this.name);
      const keys = [...this.followers.keys()];
      const ids = keys.map((key) => this.oldestPosition(key));
      let reply: XReadReply;
      try {
        reply = await this.reader.read(keys, ids, BATCH, BLOCK_MS);
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err, msg: `Reading task streams (${this.name}) failed; retrying` });
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      const readFrom = new Map(keys.map((key, i) => [key, ids[i]]));
      for (const [key, entries] of reply ?? [])
        this.dispatch(key, entries, readFrom.get(key) ?? '0-0');
    }
    // Synchronously with the check above, so a follow() from now on starts a new loop.
    this.loop = undefined;
    this.reader?.close();
    this.reader = undefined;
  }

  /** Waits for a follower; true when none came within READER_IDLE_CLOSE_MS. */
  private idleTimedOut(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.idle = undefined;
        resolve(true);
      }, READER_IDLE_CLOSE_MS);
      timer.unref();
      this.idle = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }

  private oldestPosition(key: string): string {
    let oldest: string | undefined;
    for (const follower of this.followers.get(key) ?? []) {
      if (oldest === undefined || compareStreamIds(follower.lastId, oldest) < 0)
        oldest = follower.lastId;
    }
    return oldest ?? '$';
  }

  private dispatch(key: string, entries: [string, string[]][], readFrom: string): void {
    const decoded = entries
      .map(([id, fields]) => decodeEntry(id, fields))
      .filter((e): e is StoredTaskEvent => !!e);
    for (const follower of [...(this.followers.get(key) ?? [])]) {
      // A follower that joined after this read began is behind its window: entries between its
      // own position and the window's start are not in this batch. The next read starts from it.
      if (compareStreamIds(follower.lastId, readFrom) < 0) continue;
      const fresh = decoded.filter((e) => compareStreamIds(e.id, follower.lastId) > 0);
      if (fresh.length === 0) continue;
      follower.lastId = fresh[fresh.length - 1].id;
      follower.deliver(fresh);
    }
  }
}
