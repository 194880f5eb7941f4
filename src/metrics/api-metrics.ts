import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRIC_PREFIX as P, MetricFactory } from './metric-factory';

/** Metrics only the API side produces, so a worker never exports them (always zero there). */
@Injectable()
export class ApiMetrics {
  readonly sseConnections;
  /** reason: `exceeded` (refused with 429) or `fail_open` (let through: the limiter's Redis failed). */
  readonly rateLimited;
  /** Tasks refused with 402 because the key's budget is spent (`api_key_id` `none` with auth off). */
  readonly budgetRefusals;

  constructor(registry: Registry) {
    const m = new MetricFactory(registry);
    this.sseConnections = m.gauge(`${P}sse_connections`, 'Open SSE task event streams', []);
    this.rateLimited = m.counter(
      `${P}rate_limited_total`,
      'Requests over the rate limit: refused (exceeded), logged only in local/test (logged), or let through while its Redis is away (fail_open)',
      ['reason'],
    );
    this.budgetRefusals = m.counter(
      `${P}budget_refusals_total`,
      'New tasks refused because the API key has spent its daily or monthly budget',
      ['api_key_id', 'period'],
    );
    for (const reason of ['exceeded', 'logged', 'fail_open']) this.rateLimited.inc({ reason }, 0);
  }
}
