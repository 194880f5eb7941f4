import { type DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { MetricsController } from './metrics.controller';

/** `/metrics`, in the API and in the worker; left out entirely when PROMETHEUS_ENABLED=false. */
@Module({})
export class MetricsModule {
  static forRoot(enabled: boolean): DynamicModule {
    if (!enabled) return { module: MetricsModule };
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          defaultMetrics: { enabled: true },
        }),
      ],
    };
  }
}
