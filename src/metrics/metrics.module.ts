import { type DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { MetricsController } from './metrics.controller';

/** `/metrics`, in the API and in the worker; left out entirely when PROMETHEUS_ENABLED=false. */
@Module({})
export class MetricsModule {
  static forRoot(enabled: boolean): DynamicModule {
    if (!enabled) return { module: MetricsModule };
    // prom-client's registry is per process; a second app in the same process (tests) reuses
    // the default process metrics the first one registered.
    const defaultsRegistered =
      register.getSingleMetric('process_cpu_user_seconds_total') !== undefined;
    return {
      module: MetricsModule,
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
