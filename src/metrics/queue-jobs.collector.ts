import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { QUEUE_JOB_STATES, QueueCounts } from '../queues/queue-counts';
import { AppMetrics } from './app-metrics';

/** How often the queue figures are read from Redis. */
export const QUEUE_REFRESH_MS = 5000;

/**
 * Keeps the `agent_tasks` queue gauges (jobs by state, age of the longest-waiting job) fresh by
 * reading them (QueueCounts, the one reader) every QUEUE_REFRESH_MS in the background, so a scrape only reads memory and
 * never waits on Redis. While Redis is away the last values stay.
 */
@Injectable()
export class QueueJobsCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly counts: QueueCounts,
    private readonly metrics: AppMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), QUEUE_REFRESH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Reads the figures now (one read at a time); resolves once they are set. */
  refresh(): Promise<void> {
    this.running ??= this.read().finally(() => (this.running = undefined));
    return this.running;
  }

  private async read(): Promise<void> {
    const [counts, oldest] = await Promise.all([
      this.counts.taskJobs(),
      this.counts.oldestWaitingSeconds(),
    ]);
    // Redis is away: keep the last values (its connection errors are logged elsewhere).
    if (counts)
      for (const state of QUEUE_JOB_STATES) this.metrics.queueJobs.set({ state }, counts[state]);
    if (oldest !== null) this.metrics.queueOldestWaiting.set(oldest);
  }
}
