import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type TestApp, waitFor } from '@agent-orchestrator/testing';
import request from 'supertest';
import { TaskQueueProducer } from '../../src/tasks/task-queue.producer';
import { startTracing, type Tracing } from '../../src/tracing/tracing';
import { type Pipeline, startPipeline, waitForStatus } from '../tasks/pipeline-fixture';

/** The caller's own trace, which the service must continue (W3C trace context). */
const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

describe('tracing: one trace from the API request through the queue to the LLM calls', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let pipeline: Pipeline;
  let t: TestApp;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'agent-orchestrator-test', exporter });
    pipeline = await startPipeline({ mode: 'all' });
    t = pipeline.t;
  });
  afterAll(async () => {
    await pipeline.close();
    await tracing?.shutdown();
  });

  const spansOf = (taskId: string): ReadableSpan[] => {
    const ids = new Set(
      exporter
        .getFinishedSpans()
        .filter((s) => s.attributes['task.id'] === taskId)
        .map((s) => s.spanContext().traceId),
    );
    return exporter.getFinishedSpans().filter((s) => ids.has(s.spanContext().traceId));
  };
  const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
  /** Whether `ancestor` is on the chain of parents from `span` up. */
  const descendsFrom = (
    span: ReadableSpan,
    ancestor: ReadableSpan,
    all: ReadableSpan[],
  ): boolean => {
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    for (let at: ReadableSpan | undefined = span; at; at = byId.get(parentOf(at) ?? '')) {
      if (parentOf(at) === ancestor.spanContext().spanId) return true;
    }
    return false;
  };

  it('links the HTTP request, the enqueue, the worker and each LLM call in the caller’s trace', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .set('traceparent', `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`)
      .send({ task: 'Write a Python script that counts words in a file' })
      .expect(200);
    const taskId = res.body.task_id as string;
    expect((await waitForStatus(t, taskId)).status).toBe('completed');
    const spans = await waitFor(() => {
      const found = spansOf(taskId);
      const processed = found.some((s) => s.name === 'agent_tasks process');
      const done = processed && found.filter((s) => s.name === 'llm.chat').length >= 2;
      return Promise.resolve(done && found);
    }, 'the worker and LLM spans');

    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([CALLER_TRACE_ID]));
    const server = spans.find(
      (s) => s.kind === SpanKind.SERVER && s.name === 'POST /v1/agent/execute',
    );
    const publish = spans.find((s) => s.name === 'agent_tasks publish');
    const process = spans.find((s) => s.name === 'agent_tasks process');
    const llmCalls = spans.filter((s) => s.name === 'llm.chat');
    expect(server && publish && process).toBeTruthy();
    expect(parentOf(server!)).toBe(CALLER_SPAN_ID);
    expect(server!.attributes['http.route']).toBe('/v1/agent/execute');
    expect(server!.attributes['http.response.status_code']).toBe(200);
    expect(publish!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(publish!)).toBe(server!.spanContext().spanId);
    expect(process!.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(process!)).toBe(publish!.spanContext().spanId);
    expect(process!.attributes).toMatchObject({
      'task.id': taskId,
      'task.attempt': 1,
      'agent.name': 'CodeAgent',
      'task.status': 'completed',
    });

    expect(llmCalls.map((s) => s.attributes['agent.name']).sort()).toEqual([
      'CodeAgent',
      'PeerAgent',
    ]);
    for (const call of llmCalls) {
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(descendsFrom(call, process!, spans)).toBe(true);
      expect(call.attributes).toMatchObject({ 'task.id': taskId, 'llm.attempts': 1 });
      expect(call.attributes['gen_ai.request.model']).toEqual(expect.any(String));
      expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    }

    // The job carried the trace context; the log lines of the request carry the trace id.
    const job = await t.app.get(TaskQueueProducer).queue.getJob(taskId);
    expect((job?.data as { trace?: { traceparent: string } }).trace?.traceparent).toMatch(
      new RegExp(`^00-${CALLER_TRACE_ID}-${publish!.spanContext().spanId}-01$`),
    );
    const traced = t.logs.lines.filter((l) => l.trace_id === CALLER_TRACE_ID);
    expect(traced.length).toBeGreaterThan(0);
    expect(traced.every((l) => typeof l.span_id === 'string')).toBe(true);
  });

  it('traces the ContentAgent’s web search inside the worker’s span', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .send({ task: 'Write a short blog post about Redis streams' })
      .expect(200);
    const taskId = res.body.task_id as string;
    expect((await waitForStatus(t, taskId)).status).toBe('completed');
    const spans = await waitFor(() => {
      const found = spansOf(taskId);
      return Promise.resolve(found.some((s) => s.name === 'agent_tasks process') && found);
    }, 'the worker span');
    const process = spans.find((s) => s.name === 'agent_tasks process')!;
    const searches = spans.filter((s) => s.name === 'web_search');
    expect(searches.length).toBeGreaterThan(0);
    for (const span of searches) {
      expect(descendsFrom(span, process, spans)).toBe(true);
      expect(span.attributes['search.results']).toBeGreaterThan(0);
    }
    // A request without a caller trace starts its own, at the HTTP span.
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.parentSpanContext).toBeUndefined();
  });
});
