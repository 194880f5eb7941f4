import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TaskQueueProducer } from '../tasks/task-queue.producer';
import { AppMetrics } from './app-metrics';

/** The states `agent_orchestrator_queue_jobs` reports. */
export const QUEUE_JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
] as const;

/** How often the queue figures are read from Redis. */
export const QUEUE_REFRESH_MS = 5000;

/** One read must not pile up behind a Redis that does not answer. */
const READ_TIMEOUT_MS = 1000;

/**
 * Keeps the `agent_tasks` queue gauges (jobs by state, age of the longest-waiting job) fresh by
 * reading BullMQ every QUEUE_REFRESH_MS in the background, so a scrape only reads memory and
 * never waits on Redis. While Redis is away the last values stay.
 */
@Injectable()
export class QueueJobsCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly producer: TaskQueueProducer,
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
    let timer: NodeJS.Timeout | undefined;
    try {
      const [counts, oldest] = await Promise.race([
        Promise.all([
          this.producer.queue.getJobCounts(...QUEUE_JOB_STATES),
          this.oldestWaitingSeconds(),
        ]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), READ_TIMEOUT_MS);
        }),
      ]);
      for (const state of QUEUE_JOB_STATES)
        this.metrics.queueJobs.set({ state }, counts[state] ?? 0);
      this.metrics.queueOldestWaiting.set(oldest);
    } catch {
      // Redis is away: keep the last values (its connection errors are logged elsewhere).
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Seconds the longest-waiting runnable job has waited: since it was added or its delay
   * ended, or, for a retry, since its last attempt started (so never more than the truth).
   */
  private async oldestWaitingSeconds(): Promise<number> {
    const oldest = await this.producer.queue.getJobs(['waiting', 'prioritized'], 0, 0, true);
    const since = oldest.map((job) =>
      Math.max(job.timestamp + (job.delay ?? 0), job.processedOn ?? 0),
    );
    return since.length === 0 ? 0 : Math.max(0, (Date.now() - Math.min(...since)) / 1000);
  }
}
