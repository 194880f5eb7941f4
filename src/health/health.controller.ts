import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { appConfig } from '../config';
import { DependencyProbe } from './dependency-probe';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly probe: DependencyProbe,
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'Plain-text health for load balancers: `ok | mongo=up | redis=up | env=local`.',
  })
  @ApiOkResponse({
    description: 'Both MongoDB and Redis answer.',
    schema: { type: 'string', example: 'ok | mongo=up | redis=up | env=local' },
  })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down.',
    schema: { type: 'string', example: 'degraded | mongo=up | redis=down | env=local' },
  })
  async health(@Res({ passthrough: true }) res: Response): Promise<string> {
    const [mongo, redis] = await Promise.all([this.probe.mongoState(), this.probe.redisState()]);
    const healthy = mongo === 'up' && redis === 'up';
    res.status(healthy ? 200 : 503);
    return `${healthy ? 'ok' : 'degraded'} | mongo=${mongo} | redis=${redis} | env=${this.app.environment}`;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness probe: the process is up. Checks no dependency.' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness probe (terminus JSON): MongoDB and Redis answer.' })
  ready() {
    return this.terminus.check([
      async () => this.indicator('mongo', await this.probe.mongoState()),
      async () => this.indicator('redis', await this.probe.redisState()),
    ]);
  }

  private indicator(key: string, state: 'up' | 'down') {
    const check = this.indicators.check(key);
    return state === 'up' ? check.up() : check.down();
  }
}
