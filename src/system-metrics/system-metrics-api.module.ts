import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { LlmModule } from '../llm/llm.module';
import { LlmProviderProbe } from './llm-provider-probe';
import { MetricsHistoryService } from './metrics-history.service';
import { SystemMetricsController } from './system-metrics.controller';
import { SystemMetricsModule } from './system-metrics.module';
import { SystemMetricsService } from './system-metrics.service';

/** API side: GET /v1/system/metrics and its history. */
@Module({
  imports: [SystemMetricsModule, HealthModule, LlmModule],
  controllers: [SystemMetricsController],
  providers: [SystemMetricsService, MetricsHistoryService, LlmProviderProbe],
})
export class SystemMetricsApiModule {}
