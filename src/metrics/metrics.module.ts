import { type DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { TasksCoreModule } from '../tasks/tasks-core.module';
import { AppMetrics } from './app-metrics';
import { MetricsController } from './metrics.controller';
import { QueueJobsCollector } from './queue-jobs.collector';
import { TaskMetricsListener } from './task-metrics.listener';

/**
 * The service's metrics (always recorded) and `/metrics`, in the API and in the worker; the
 * endpoint is left out entirely when PROMETHEUS_ENABLED=false. HTTP metrics come from the
 * middleware configureApp installs first (http-observability.ts); task and queue metrics from
 * the listeners here; LLM metrics from LlmClient.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(enabled: boolean): DynamicModule {
    const base = {
      module: MetricsModule,
      imports: [TasksCoreModule],
      providers: [AppMetrics, TaskMetricsListener, QueueJobsCollector],
      exports: [AppMetrics],
    };
    if (!enabled) return base;
    // prom-client's registry is per process; a second app in the same process (tests) reuses
    // the default process metrics the first one registered.
    const defaultsRegistered =
      register.getSingleMetric('process_cpu_user_seconds_total') !== undefined;
    return {
      ...base,
      imports: [
        ...base.imports,
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          defaultMetrics: { enabled: !defaultsRegistered },
        }),
      ],
    };
  }
}
