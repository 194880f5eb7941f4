import { Module } from '@nestjs/common';
import { MetricsSnapshotWriter } from './metrics-snapshot.writer';
import { SystemMetricsModule } from './system-metrics.module';

/** Worker side: the periodic `system_metrics` snapshot. */
@Module({
  imports: [SystemMetricsModule],
  providers: [MetricsSnapshotWriter],
  exports: [MetricsSnapshotWriter],
})
export class SystemMetricsWorkerModule {}
