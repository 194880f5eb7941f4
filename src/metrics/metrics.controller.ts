import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { Public } from '../auth/auth.decorators';

/** Prometheus text exposition of this application's registry, open to scrapers like the probes. */
@ApiTags('metrics')
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly registry: Registry) {
    super();
  }

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format).' })
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text format.',
    schema: { type: 'string' },
  })
  override index(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.header('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
