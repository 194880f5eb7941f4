import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from './queue-names';

/** The job states the counts report. */
export const QUEUE_JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];
export type QueueJobCounts = Record<QueueJobState, number>;

/** A reader must not hang on Redis (a scrape, a metrics request): past this it gives up. */
const COUNT_TIMEOUT_MS = 1000;

/**
 * The one reader of the `agent_tasks` job counts, for Prometheus (`queue_jobs`) and for
 * /v1/system/metrics and its snapshots.
 */
@Injectable()
export class QueueCounts {
  constructor(@InjectQueue(TASK_QUEUE) private readonly tasks: Queue) {}

  /** The counts by state, or null when Redis does not answer in time. */
  async taskJobs(): Promise<QueueJobCounts | null> {
    const counts = await withinTimeout(this.tasks.getJobCounts(...QUEUE_JOB_STATES));
    if (!counts) return null;
    return Object.fromEntries(
      QUEUE_JOB_STATES.map((state) => [state, counts[state] ?? 0]),
    ) as QueueJobCounts;
  }

  /**
   * Seconds the longest-waiting runnable job has waited: since it was added or its delay
   * ended, or, for a retry, since its last attempt started (so never more than the truth).
   * 0 when none waits; null when Redis does not answer in time.
   */
  async oldestWaitingSeconds(): Promise<number | null> {
    const oldest = await withinTimeout(this.tasks.getJobs(['waiting', 'prioritized'], 0, 0, true));
    if (!oldest) return null;
    const since = oldest.map((job) =>
      Math.max(job.timestamp + (job.delay ?? 0), job.processedOn ?? 0),
    );
    return since.length === 0 ? 0 : Math.max(0, (Date.now() - Math.min(...since)) / 1000);
  }
}

async function withinTimeout<T>(read: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      read,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), COUNT_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
