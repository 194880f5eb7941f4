import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TasksCoreModule } from '../tasks/tasks-core.module';
import { METRICS_SNAPSHOT_MODEL, MetricsSnapshotSchema } from './metrics-snapshot.schema';
import { MetricsSnapshotsRepository } from './metrics-snapshots.repository';
import { QueueStats } from './queue-stats';
import { TaskStatsService } from './task-stats.service';

/** Mode-neutral: today's task figures, queue counts and the `system_metrics` collection. */
@Module({
  imports: [
    TasksCoreModule,
    MongooseModule.forFeature([{ name: METRICS_SNAPSHOT_MODEL, schema: MetricsSnapshotSchema }]),
  ],
  providers: [TaskStatsService, QueueStats, MetricsSnapshotsRepository],
  exports: [TaskStatsService, QueueStats, MetricsSnapshotsRepository],
})
export class SystemMetricsCoreModule {}
