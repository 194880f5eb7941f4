import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { serviceInstrumentations } from './instrumentations';
import { RedactingSpanProcessor } from './redacting-span-processor';

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  /** The process's mode, as the resource attribute `agent_orchestrator.mode`. */
  mode?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans are batched and sent to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** Export every span to this exporter as it ends instead (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/** A running SDK; `shutdown` flushes pending spans and unregisters it. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK: the W3C trace-context propagator, the AsyncLocalStorage
 * context manager, and the ecosystem's instrumentations of the libraries this service uses
 * (instrumentations.ts). It must run before those libraries are first required, so main.ts
 * calls it before it loads the application. With neither an endpoint nor an exporter nothing
 * is started: the OpenTelemetry API stays a no-op and tracing costs nothing.
 *
 * Only traces leave over OTLP: metrics are Prometheus's (/metrics) and logs are stdout's.
 * The SDK honours the standard variables for the rest (OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS, OTEL_BSP_*).
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  const processor = spanProcessor(options);
  if (!processor) return undefined;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      ...(options.mode ? { 'agent_orchestrator.mode': options.mode } : {}),
    }),
    spanProcessors: [new RedactingSpanProcessor(), processor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: serviceInstrumentations(),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

function spanProcessor(options: TracingOptions): SpanProcessor | undefined {
  if (options.exporter) return new SimpleSpanProcessor(options.exporter);
  if (!options.otlpEndpoint) return undefined;
  return new BatchSpanProcessor(
    new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint) }),
  );
}

/** The OTLP/HTTP spec: a base endpoint gets the per-signal path `v1/traces` appended. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
