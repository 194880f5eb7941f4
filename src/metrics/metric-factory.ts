import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Every series the service defines outside the spec's `api_http_*` carries this prefix. */
export const METRIC_PREFIX = 'agent_orchestrator_';

/** Builds metrics registered on one application's registry. */
export class MetricFactory {
  constructor(private readonly registry: Registry) {}

  counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
