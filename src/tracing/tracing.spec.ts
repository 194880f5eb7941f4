import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { extractTraceContext, injectTraceContext, inSpan } from './spans';
import { traceLogFields } from './trace-log-fields';
import { otlpTracesUrl, startTracing, tracingEnabled } from './tracing';

describe('tracing', () => {
  it('registers nothing without an endpoint or an exporter', async () => {
    expect(startTracing({ serviceName: 'x' })).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    const result = await inSpan('noop', {}, (span) => {
      expect(span.isRecording()).toBe(false);
      expect(traceLogFields()).toEqual({});
      return Promise.resolve(42);
    });
    expect(result).toBe(42);
    expect(injectTraceContext()).toBeUndefined();
  });

  it('sends spans to <endpoint>/v1/traces', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
  });

  describe('with an exporter', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: ReturnType<typeof startTracing>;
    beforeAll(() => {
      tracing = startTracing({ serviceName: 'unit', exporter });
    });
    afterAll(() => tracing?.shutdown());
    beforeEach(() => exporter.reset());

    it('records a thrown error on the span and rethrows it', async () => {
      const failure = Object.assign(new Error('boom'), { code: 'LLM_TIMEOUT' });
      await expect(inSpan('failing', {}, () => Promise.reject(failure))).rejects.toBe(failure);
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('failing');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'LLM_TIMEOUT' });
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    });

    it('carries the active span across a W3C carrier and into log lines', async () => {
      let carrier: ReturnType<typeof injectTraceContext>;
      let logFields: ReturnType<typeof traceLogFields> = {};
      await inSpan('producer', {}, (span) => {
        carrier = injectTraceContext();
        logFields = traceLogFields();
        expect(logFields).toEqual({
          trace_id: span.spanContext().traceId,
          span_id: span.spanContext().spanId,
        });
        return Promise.resolve();
      });
      expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const remote = trace.getSpanContext(extractTraceContext(carrier));
      expect(remote?.traceId).toBe(logFields.trace_id);
      expect(remote?.spanId).toBe(logFields.span_id);
      expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
    });
  });
});
