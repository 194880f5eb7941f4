import type { QueueJobCounts } from '../queues/queue-counts';

/** The `agent_tasks` queue as /v1/system/metrics and its snapshots show it. */
export interface QueueLengths {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

export function queueLengths(counts: QueueJobCounts | null): QueueLengths | null {
  if (!counts) return null;
  return {
    // Prioritized jobs wait too (in their own set); the service gives none a priority today.
    waiting: counts.waiting + counts.prioritized,
    delayed: counts.delayed,
    active: counts.active,
    failed: counts.failed,
  };
}
