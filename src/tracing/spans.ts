import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';

const TRACER_NAME = 'agent-orchestrator';

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
