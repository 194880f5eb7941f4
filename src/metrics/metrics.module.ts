import { type DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Registry } from 'prom-client';
import { APP_VERSION } from '../config';
import { TaskEventsModule } from '../events/task-events.module';
import { QueuesModule } from '../queues/queues.module';
import { AppMetrics } from './app-metrics';
import { METRIC_PREFIX, MetricFactory } from './metric-factory';
import { MetricsController } from './metrics.controller';
import { QueueJobsCollector } from './queue-jobs.collector';
import { TaskMetricsListener } from './task-metrics.listener';

export interface MetricsOptions {
  /** PROMETHEUS_ENABLED: serve /metrics (and keep its queue gauges fresh). */
  enabled: boolean;
  /** The process's mode, on `agent_orchestrator_build_info` (so "no worker is up" can alert). */
  mode: string;
}

/**
 * The service's metrics (always recorded) and `/metrics`, in the API and in the worker; the
 * endpoint is left out entirely when PROMETHEUS_ENABLED=false. Each application has a registry
 * of its own, so a process exports exactly what its mode records (and two apps in one test
 * process do not mix). HTTP metrics come from the middleware configureApp installs first
 * (http-observability.ts); task and queue metrics from the listeners here; LLM metrics from
 * LlmClient; the API side's own from ApiMetrics.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    const registry = new Registry();
    new MetricFactory(registry)
      .gauge(`${METRIC_PREFIX}build_info`, 'Always 1: the version and mode of this process', [
        'version',
        'mode',
      ])
      .set({ version: APP_VERSION, mode: options.mode }, 1);
    const base = {
      module: MetricsModule,
      imports: [TaskEventsModule, QueuesModule],
      providers: [{ provide: Registry, useValue: registry }, AppMetrics, TaskMetricsListener],
      exports: [Registry, AppMetrics],
    };
    if (!options.enabled) return base;
    return {
      ...base,
      imports: [
        ...base.imports,
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          // Node's process and runtime metrics keep their standard names (process_*, nodejs_*),
          // which the usual Node.js dashboards expect.
          defaultMetrics: { enabled: true, config: { register: registry } },
        }),
      ],
      providers: [...base.providers, QueueJobsCollector],
    };
  }
}
