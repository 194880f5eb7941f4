import { Module } from '@nestjs/common';
import { MetricsSnapshotWriter } from './metrics-snapshot.writer';
import { SystemMetricsCoreModule } from './system-metrics-core.module';

/** Worker side: the periodic `system_metrics` snapshot. */
@Module({
  imports: [SystemMetricsCoreModule],
  providers: [MetricsSnapshotWriter],
  exports: [MetricsSnapshotWriter],
})
export class MetricsRollupModule {}
