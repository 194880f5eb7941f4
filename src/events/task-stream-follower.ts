import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type RedisClient, RedisConnections } from '../redis/redis-connections';
import {
  compareStreamIds,
  decodeEntry,
  type StoredTaskEvent,
  taskStreamKey,
} from './task-event-stream';

const BLOCK_MS = 5000;
const BATCH = 500;

interface Follower {
  lastId: string;
  deliver(events: StoredTaskEvent[]): void;
}

type XReadReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Follows every open task stream of this API process with ONE blocking Redis connection: an
 * `XREAD BLOCK` over the set of followed streams, restarted (CLIENT UNBLOCK) when the set
 * changes. Redis connections per process therefore do not grow with the number of SSE clients.
 * Each follower gets only entries after its own last id, so none is skipped or repeated.
 */
@Injectable()
export class TaskStreamFollower implements OnModuleDestroy {
  private readonly logger = new Logger('TaskStreamFollower');
  private readonly followers = new Map<string, Set<Follower>>();
  private reader?: RedisClient;
  private readerId?: number;
  private loop?: Promise<void>;
  private stopped = false;
  private idle?: () => void;
  private wakeScheduled = false;

  constructor(private readonly redis: RedisConnections) {}

  /** Delivers the task's events after `afterId` as they are appended; returns the unfollow function. */
  follow(
    taskId: string,
    afterId: string,
    deliver: (events: StoredTaskEvent[]) => void,
  ): () => void {
    const key = this.redis.key(taskStreamKey(taskId));
    const follower: Follower = { lastId: afterId, deliver };
    let set = this.followers.get(key);
    if (!set) this.followers.set(key, (set = new Set()));
    set.add(follower);
    this.start();
    this.wake();
    return () => {
      const current = this.followers.get(key);
      if (!current) return;
      current.delete(follower);
      if (current.size === 0) this.followers.delete(key);
    };
  }

  /** Open followers, for tests and the agent_orchestrator_sse_connections gauge's sanity. */
  get size(): number {
    let n = 0;
    for (const set of this.followers.values()) n += set.size;
    return n;
  }

  private start(): void {
    if (this.loop || this.stopped) return;
    const reader = this.redis.create('events-reader', { maxRetriesPerRequest: null });
    this.reader = reader;
    reader.on('ready', () => {
      void reader
        .client('ID')
        .then((id) => (this.readerId = Number(id)))
        .catch(() => undefined);
    });
    this.loop = this.run();
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
      if (this.readerId !== undefined) {
        void this.redis.commands.client('UNBLOCK', this.readerId).catch(() => undefined);
      }
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.followers.size === 0) {
        await new Promise<void>((resume) => (this.idle = resume));
        continue;
      }
      const keys = [...this.followers.keys()];
      const ids = keys.map((key) => this.oldestPosition(key));
      let reply: XReadReply;
      try {
        reply = await this.reader!.xread(
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...keys,
          ...ids,
        );
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err, msg: 'Reading task streams failed; retrying' });
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      const readFrom = new Map(keys.map((key, i) => [key, ids[i]]));
      for (const [key, entries] of reply ?? [])
        this.dispatch(key, entries, readFrom.get(key) ?? '0-0');
    }
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

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.idle?.();
    if (this.readerId !== undefined)
      await this.redis.commands.client('UNBLOCK', this.readerId).catch(() => undefined);
    this.reader?.disconnect();
    await this.loop;
  }
}
