import type { QueueLengths } from './queue-lengths';

/** One row of the `system_metrics` collection: the day's figures as a worker saw them. */
export interface MetricsSnapshotRecord {
  /** The UTC day the figures are for, YYYY-MM-DD. */
  date: string;
  taken_at: Date;
  total_tasks: number;
  tasks_per_agent: Record<string, number>;
  /** Null when Redis did not answer. */
  queue_lengths: QueueLengths | null;
  avg_latency_ms: number | null;
}
