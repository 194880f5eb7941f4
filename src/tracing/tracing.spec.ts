import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { inSpan } from './spans';
import { otlpTracesUrl, startTracing } from './tracing';

describe('tracing', () => {
  it('starts nothing without an endpoint or an exporter', async () => {
    expect(startTracing({ serviceName: 'x' })).toBeUndefined();
    const result = await inSpan('noop', {}, (span) => {
      expect(span.isRecording()).toBe(false);
      return Promise.resolve(42);
    });
    expect(result).toBe(42);
  });

  it('sends spans to <endpoint>/v1/traces', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
  });

  describe('domain spans, under a registered provider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    beforeAll(() => provider.register());
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });
    beforeEach(() => exporter.reset());

    it('records a thrown error on the span and rethrows it', async () => {
      const failure = Object.assign(new Error('boom'), { code: 'LLM_TIMEOUT' });
      await expect(inSpan('failing', {}, () => Promise.reject(failure))).rejects.toBe(failure);
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('failing');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'LLM_TIMEOUT' });
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    });

    it('makes the span active for what runs inside, so it parents their spans', async () => {
      await inSpan('outer', {}, (outer) =>
        inSpan('inner', {}, (inner) => {
          expect(trace.getActiveSpan()).toBe(inner);
          expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
          return Promise.resolve();
        }),
      );
      const [inner, outer] = exporter.getFinishedSpans();
      expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    });
  });
});
