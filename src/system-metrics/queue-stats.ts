import { Injectable } from '@nestjs/common';
import { TaskQueueProducer } from '../tasks/task-queue.producer';

export interface QueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

/** How long a metrics request waits for Redis before it reports the queue as unknown. */
const COUNT_TIMEOUT_MS = 1000;

/** Job counts of the `agent_tasks` queue, from BullMQ. */
@Injectable()
export class QueueStats {
  constructor(private readonly producer: TaskQueueProducer) {}

  /** The counts, or null when Redis does not answer in time. */
  async counts(): Promise<QueueCounts | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const counts = await Promise.race([
        this.producer.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), COUNT_TIMEOUT_MS);
        }),
      ]);
      return {
        // Prioritized jobs wait too (in their own set); the service gives none a priority today.
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        delayed: counts.delayed ?? 0,
        active: counts.active ?? 0,
        failed: counts.failed ?? 0,
      };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
