import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';

/** Refreshes `queue_jobs` on each scrape; set by QueueJobsCollector while its app runs. */
let queueJobsRefresh: ((gauge: Gauge<'state'>) => Promise<void>) | undefined;

/**
 * Every Prometheus metric the service exports, in one place. prom-client's registry is per
 * process; a metric already registered (a second app in the same test process) is reused.
 */
@Injectable()
export class AppMetrics {
  readonly httpRequests = counter('api_http_requests_total', 'Total HTTP requests', [
    'method',
    'endpoint',
    'status_code',
  ]);
  readonly httpDuration = histogram(
    'api_http_request_duration_seconds',
    'HTTP request duration in seconds',
    ['method', 'endpoint'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly tasks = counter('tasks_total', 'Tasks that reached a final state', ['agent', 'status']);
  readonly taskDuration = histogram(
    'task_duration_seconds',
    'Task time from acceptance to its final state, in seconds',
    ['agent'],
    [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
  );
  readonly queueJobs = gauge(
    'queue_jobs',
    'Jobs of the agent_tasks queue by state',
    ['state'],
    async function (this: Gauge<'state'>) {
      await queueJobsRefresh?.(this);
    },
  );
  readonly llmRequests = counter('llm_requests_total', 'LLM calls by outcome', [
    'model',
    'outcome',
  ]);
  readonly llmDuration = histogram(
    'llm_request_duration_seconds',
    'LLM call duration in seconds',
    ['model'],
    [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
  );
  readonly llmTokens = counter('llm_tokens_total', 'LLM tokens by kind (prompt, completion)', [
    'model',
    'kind',
  ]);
  readonly llmCost = counter('llm_cost_usd_total', 'Estimated LLM spend in USD', ['model']);
  readonly sseConnections = gauge('sse_connections', 'Open SSE task event streams', []);
  readonly reconcilerRequeued = counter(
    'reconciler_requeued_total',
    'Tasks the reconciler put back on the queue',
    [],
  );
  readonly webhookDeliveries = counter(
    'webhook_deliveries_total',
    'Webhook delivery attempts by outcome',
    ['outcome'],
  );
  /** reason: `exceeded` (refused with 429) or `fail_open` (let through: the limiter's Redis failed). */
  readonly rateLimited = counter(
    'rate_limited_total',
    'Requests refused (or, failing open, let through) by the rate limiter',
    ['reason'],
  );

  /** Sets (or clears) what refreshes `queue_jobs` when it is scraped. One per process: the last wins. */
  setQueueJobsRefresh(refresh: ((gauge: Gauge<'state'>) => Promise<void>) | undefined): void {
    queueJobsRefresh = refresh;
  }

  /** Whether `refresh` is the current `queue_jobs` refresher. */
  isQueueJobsRefresh(refresh: (gauge: Gauge<'state'>) => Promise<void>): boolean {
    return queueJobsRefresh === refresh;
  }
}

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

function gauge<L extends string>(
  name: string,
  help: string,
  labelNames: L[],
  collect?: (this: Gauge<L>) => Promise<void>,
): Gauge<L> {
  return (
    (register.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge({ name, help, labelNames, collect })
  );
}

function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: L[],
  buckets: number[],
): Histogram<L> {
  return (
    (register.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram({ name, help, labelNames, buckets })
  );
}
