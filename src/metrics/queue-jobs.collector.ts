import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import { TaskQueueProducer } from '../tasks/task-queue.producer';
import { AppMetrics } from './app-metrics';

/** The states `queue_jobs` reports. */
export const QUEUE_JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
] as const;

/** A scrape must not hang on Redis: past this the previous values are served. */
const COUNT_TIMEOUT_MS = 1000;

/** Reads the `agent_tasks` job counts from BullMQ each time `/metrics` is scraped. */
@Injectable()
export class QueueJobsCollector implements OnModuleInit, OnModuleDestroy {
  private readonly refresh = (gauge: Gauge<'state'>): Promise<void> => this.collect(gauge);

  constructor(
    private readonly producer: TaskQueueProducer,
    private readonly metrics: AppMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.setQueueJobsRefresh(this.refresh);
  }

  onModuleDestroy(): void {
    if (this.metrics.isQueueJobsRefresh(this.refresh)) this.metrics.setQueueJobsRefresh(undefined);
  }

  private async collect(gauge: Gauge<'state'>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const counts = await Promise.race([
        this.producer.queue.getJobCounts(...QUEUE_JOB_STATES),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), COUNT_TIMEOUT_MS);
        }),
      ]);
      for (const state of QUEUE_JOB_STATES) gauge.set({ state }, counts[state] ?? 0);
    } catch {
      // Redis is away: keep the last values rather than failing the whole scrape.
    } finally {
      clearTimeout(timer);
    }
  }
}
