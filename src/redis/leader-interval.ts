import { hostname } from 'node:os';
import type { RedisConnections } from './redis-connections';

export interface LeaderIntervalOptions {
  /** The Redis key of the lock (prefixed like every key). */
  lockKey: string;
  intervalMs: number;
  /** How long a run's lock is held: whoever takes it runs, the others skip their tick. */
  holdMs: number;
  /** The periodic job. */
  run: () => Promise<unknown>;
  /** Told of a failed tick; the next tick tries again. */
  onError: (err: unknown) => void;
}

/**
 * A periodic job that one process of the deployment runs at a time: on each tick the process
 * that takes a Redis lock (SET NX PX) runs it. A tick never overlaps a run still in progress,
 * and `stop` waits for one. The timer does not keep the process alive.
 */
export class LeaderInterval {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly redis: RedisConnections,
    private readonly options: LeaderIntervalOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runIfLeader()
        .catch(this.options.onError)
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs `job` (the periodic one by default) if this process takes the lock; false if not. */
  async runIfLeader(job: () => Promise<unknown> = this.options.run): Promise<boolean> {
    const owner = `${hostname()}:${process.pid}`;
    const { lockKey, holdMs } = this.options;
    if ((await this.redis.commands.set(lockKey, owner, 'PX', holdMs, 'NX')) !== 'OK') return false;
    await job();
    return true;
  }
}
