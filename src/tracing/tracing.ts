import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans are batched and sent to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** Export every span to this exporter as it ends instead (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/** A running tracer provider; `shutdown` flushes pending spans and unregisters it. */
export interface Tracing {
  shutdown(): Promise<void>;
}

let enabled = false;

/** Whether a tracer provider is registered; code that builds spans skips the work when not. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Registers the process-wide tracer provider, the W3C trace-context propagator and the
 * AsyncLocalStorage context manager. Called once, before the Nest application is created
 * (main.ts), or by a test with its own exporter. With neither an endpoint nor an exporter
 * nothing is registered: the OpenTelemetry API stays a no-op and tracing costs nothing.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  const processor = spanProcessor(options);
  if (!processor) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    spanProcessors: [processor],
  });
  provider.register();
  enabled = true;
  return {
    shutdown: async () => {
      enabled = false;
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
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
