import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { MetricsSnapshotRecord } from './metrics-snapshot.record';
import { METRICS_SNAPSHOT_MODEL } from './metrics-snapshot.schema';

/** Owns the `system_metrics` collection. */
@Injectable()
export class MetricsSnapshotsRepository {
  constructor(
    @InjectModel(METRICS_SNAPSHOT_MODEL) private readonly snapshots: Model<MetricsSnapshotRecord>,
  ) {}

  async insert(snapshot: MetricsSnapshotRecord): Promise<void> {
    await this.snapshots.create(snapshot);
  }

  /** Snapshots taken in [from, to], oldest first, at most `limit`. */
  between(from: Date, to: Date, limit: number): Promise<MetricsSnapshotRecord[]> {
    return this.snapshots
      .find({ taken_at: { $gte: from, $lte: to } }, { _id: 0 })
      .sort({ taken_at: 1 })
      .limit(limit)
      .lean<MetricsSnapshotRecord[]>()
      .exec();
  }
}
