import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { QueuesModule } from '../queues/queues.module';
import { TasksModule } from '../tasks/tasks.module';
import { METRICS_SNAPSHOT_MODEL, MetricsSnapshotSchema } from './metrics-snapshot.schema';
import { MetricsSnapshotsRepository } from './metrics-snapshots.repository';
import { TaskStatsService } from './task-stats.service';

/** Mode-neutral: today's task figures, queue counts and the `system_metrics` collection. */
@Module({
  imports: [
    TasksModule,
    QueuesModule,
    MongooseModule.forFeature([{ name: METRICS_SNAPSHOT_MODEL, schema: MetricsSnapshotSchema }]),
  ],
  providers: [TaskStatsService, MetricsSnapshotsRepository],
  exports: [TaskStatsService, QueuesModule, MetricsSnapshotsRepository],
})
export class SystemMetricsModule {}
