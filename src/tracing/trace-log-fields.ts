import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * pino `mixin`: the active span's ids on every log line, so a log line leads to its trace.
 * Empty when tracing is off (no span is ever active then).
 */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ids = span.spanContext();
  if (!isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId };
}
