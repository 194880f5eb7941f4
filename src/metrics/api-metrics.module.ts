import { Module } from '@nestjs/common';
import { TaskEventsModule } from '../events/task-events.module';
import { ApiMetrics } from './api-metrics';
import { SseConnectionsGauge } from './sse-connections.gauge';

/** The API side's own metrics; imported by the API-side modules that record them. */
@Module({
  imports: [TaskEventsModule],
  providers: [ApiMetrics, SseConnectionsGauge],
  exports: [ApiMetrics],
})
export class ApiMetricsModule {}
