import { Module } from '@nestjs/common';
import { ApiMetrics } from './api-metrics';

/** The API side's own metrics; imported by the API-side modules that record them. */
@Module({ providers: [ApiMetrics], exports: [ApiMetrics] })
export class ApiMetricsModule {}
