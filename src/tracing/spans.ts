import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';

const TRACER_NAME = 'agent-orchestrator';

/** W3C trace context as carried in a job's data from the producer to the worker. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** Job data that may carry the trace context of the request that enqueued it. */
export type Traced<T> = T & { trace?: TraceCarrier };

/** The service's tracer for its domain spans; a no-op one while tracing is off. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `fn` inside a new active span (a child of `parent`, by default the active context),
 * records a thrown error on it and always ends it. While tracing is off the API hands out
 * spans that record nothing, at next to no cost.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      markFailed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  const code = (err as { code?: unknown } | null)?.code;
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: typeof code === 'string' ? code : err instanceof Error ? err.message : String(err),
  });
}

/** Sets the attributes whose values are defined (OpenTelemetry drops undefined ones anyway). */
export function setAttributes(span: Span, attributes: Record<string, Attributes[string]>): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) span.setAttribute(key, value);
  }
}

/** The active context as a W3C carrier, or undefined when there is no sampled trace to continue. */
export function injectTraceContext(): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/** The context a carrier describes (a remote parent), or the root context. */
export function extractTraceContext(carrier: unknown): Context {
  if (!carrier || typeof carrier !== 'object') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier);
}
