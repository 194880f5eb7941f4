import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';
import { ApiErrors } from '../common/http/api-error.dto';
import { MetricsHistoryQuery } from './metrics-history.query';
import { MetricsHistoryService } from './metrics-history.service';
import { SystemMetricsService } from './system-metrics.service';
import { MetricsHistoryView, SystemMetricsView } from './system-metrics.views';

@ApiTags('metrics')
@ApiSecurity(API_KEY_SCHEME)
@Controller('v1/system/metrics')
export class SystemMetricsController {
  constructor(
    private readonly metrics: SystemMetricsService,
    private readonly history: MetricsHistoryService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Queue length, today’s tasks per agent, latency, cost and dependency health.',
    description:
      'Figures are service-wide (every key’s tasks) for the current UTC day. The LLM provider check is cached for 30 s.',
  })
  @ApiOkResponse({ type: SystemMetricsView })
  @ApiErrors('HTTP_ERROR', 'RATE_LIMIT_EXCEEDED', 'SERVICE_UNAVAILABLE')
  current(): Promise<SystemMetricsView> {
    return this.metrics.current();
  }

  @Get('history')
  @ApiOperation({
    summary: 'The snapshots workers wrote every METRICS_SNAPSHOT_INTERVAL_S in a time range.',
  })
  @ApiOkResponse({ type: MetricsHistoryView })
  @ApiErrors('HTTP_ERROR', 'VALIDATION_ERROR', 'RATE_LIMIT_EXCEEDED')
  snapshots(@Query() query: MetricsHistoryQuery): Promise<MetricsHistoryView> {
    return this.history.between(query);
  }
}
