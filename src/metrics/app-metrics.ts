import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRIC_PREFIX as P, MetricFactory } from './metric-factory';

/**
 * The metrics both sides of the service export (HTTP, tasks, queue, LLM, reconciler, webhooks),
 * on this application's own registry. The API-only ones are ApiMetrics.
 */
@Injectable()
export class AppMetrics {
  readonly httpRequests;
  readonly httpDuration;
  readonly tasks;
  readonly taskDuration;
  readonly queueJobs;
  readonly queueOldestWaiting;
  readonly llmRequests;
  readonly llmDuration;
  readonly llmTokens;
  readonly llmCost;
  readonly reconcilerRequeued;
  readonly webhookDeliveries;

  constructor(registry: Registry) {
    const m = new MetricFactory(registry);
    this.httpRequests = m.counter('api_http_requests_total', 'Total HTTP requests', [
      'method',
      'endpoint',
      'status_code',
    ]);
    this.httpDuration = m.histogram(
      'api_http_request_duration_seconds',
      'HTTP request duration in seconds (SSE streams excluded: they stay open by design)',
      ['method', 'endpoint'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    this.tasks = m.counter(`${P}tasks_total`, 'Tasks that reached a final state', [
      'agent',
      'status',
    ]);
    this.taskDuration = m.histogram(
      `${P}task_duration_seconds`,
      'Task time from acceptance to its final state, in seconds',
      ['agent'],
      [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    );
    this.queueJobs = m.gauge(`${P}queue_jobs`, 'Jobs of the agent_tasks queue by state', ['state']);
    this.queueOldestWaiting = m.gauge(
      `${P}queue_oldest_waiting_seconds`,
      'Age of the longest-waiting runnable job of the agent_tasks queue (0 when none waits)',
      [],
    );
    this.llmRequests = m.counter(`${P}llm_requests_total`, 'LLM calls by outcome', [
      'model',
      'outcome',
    ]);
    this.llmDuration = m.histogram(
      `${P}llm_request_duration_seconds`,
      'LLM call duration in seconds',
      ['model'],
      [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    );
    this.llmTokens = m.counter(`${P}llm_tokens_total`, 'LLM tokens by kind (prompt, completion)', [
      'model',
      'kind',
    ]);
    this.llmCost = m.counter(`${P}llm_cost_usd_total`, 'Estimated LLM spend in USD', ['model']);
    this.reconcilerRequeued = m.counter(
      `${P}reconciler_requeued_total`,
      'Tasks the reconciler put back on the queue',
      [],
    );
    this.webhookDeliveries = m.counter(
      `${P}webhook_deliveries_total`,
      'Webhook delivery attempts by outcome',
      ['outcome'],
    );
    // Present from the start at 0, so that increase() sees the first give-up (alerts.yml).
    for (const outcome of ['delivered', 'retrying', 'gave_up']) {
      this.webhookDeliveries.inc({ outcome }, 0);
    }
  }
}
