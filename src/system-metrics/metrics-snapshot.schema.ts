import { Schema } from 'mongoose';
import type { MetricsSnapshotRecord } from './metrics-snapshot.record';

export const METRICS_SNAPSHOT_MODEL = 'MetricsSnapshot';

export const MetricsSnapshotSchema = new Schema<MetricsSnapshotRecord>(
  {
    date: { type: String, required: true },
    taken_at: { type: Date, required: true },
    total_tasks: { type: Number, required: true },
    tasks_per_agent: { type: Schema.Types.Mixed, default: {} },
    queue_lengths: { type: Schema.Types.Mixed, default: null },
    avg_latency_ms: { type: Number, default: null },
  },
  { collection: 'system_metrics', versionKey: false, minimize: false },
);

MetricsSnapshotSchema.index({ taken_at: 1 });
