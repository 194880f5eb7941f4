import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueHashTag } from '../../../src/redis/redis-keys';
import type { OpCounts } from './op-counters';

const QUEUE = 'agent_tasks';

/**
 * The benchmark's handle on a phase's `agent_tasks` queue (the service's layout: BullMQ prefix
 * `{<REDIS_GLOBAL_KEYPREFIX>bull}`), used the same way for the service and the floor: pause it so
 * a worker can boot without taking jobs, resume it when the measurement starts, and count
 * finished jobs from Redis, so waiting for the drain costs the database nothing. `sent` is what
 * it sent to Redis, to subtract from the server's counters.
 */
export class QueueProbe {
  readonly sent: OpCounts = {};
  private readonly queue: Queue;
  private readonly redis: Redis;
  private readonly queueConnection: Redis;
  private readonly keys: { completed: string; failed: string };

  constructor(redisUrl: string, keyPrefix: string) {
    const prefix = queueHashTag(keyPrefix);
    this.redis = new Redis(redisUrl, { connectionName: 'bench:queue-probe' });
    this.queueConnection = new Redis(redisUrl, {
      connectionName: 'bench:queue',
      maxRetriesPerRequest: null,
    });
    this.queue = new Queue(QUEUE, { connection: this.queueConnection, prefix });
    this.keys = {
      completed: `${prefix}:${QUEUE}:completed`,
      failed: `${prefix}:${QUEUE}:failed`,
    };
  }

  pause(): Promise<void> {
    return this.queue.pause();
  }

  resume(): Promise<void> {
    return this.queue.resume();
  }

  /** Jobs completed or failed for good. */
  async finished(): Promise<number> {
    this.sent.zcard = (this.sent.zcard ?? 0) + 2;
    const [completed, failed] = await Promise.all([
      this.redis.zcard(this.keys.completed),
      this.redis.zcard(this.keys.failed),
    ]);
    return completed + failed;
  }

  /** Polls until `expected` jobs have finished; throws after `timeoutMs` or `stallMs` idle. */
  async waitForFinished(
    expected: number,
    timeoutMs: number,
    pollMs = 100,
    stallMs = 120_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let lastProgress = Date.now();
    for (;;) {
      const done = await this.finished();
      if (done >= expected) return;
      if (done !== last) {
        last = done;
        lastProgress = Date.now();
      }
      if (Date.now() > deadline || Date.now() - lastProgress > stallMs) {
        throw new Error(`only ${done} of ${expected} jobs finished`);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.queueConnection.disconnect();
    this.redis.disconnect();
  }
}
