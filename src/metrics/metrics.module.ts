import { type DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { AppMetrics } from './app-metrics';
import { MetricsController } from './metrics.controller';

/**
 * The service's metrics (always recorded) and `/metrics`, in the API and in the worker; the
 * endpoint is left out entirely when PROMETHEUS_ENABLED=false.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(enabled: boolean): DynamicModule {
    const base = { module: MetricsModule, providers: [AppMetrics], exports: [AppMetrics] };
    if (!enabled) return base;
    // prom-client's registry is per process; a second app in the same process (tests) reuses
    // the default process metrics the first one registered.
    const defaultsRegistered =
      register.getSingleMetric('process_cpu_user_seconds_total') !== undefined;
    return {
      ...base,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          defaultMetrics: { enabled: !defaultsRegistered },
        }),
      ],
    };
  }
}
