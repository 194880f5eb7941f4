import {
  type LlmServers,
  type LogLine,
  startLlmServers,
  testBackends,
  type TestBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'mongoose';
import { AppProcesses, type AppProcess } from '../../libs/testing/src/reliability';
import { processBackends } from '../reliability/chaos-fixture';
import { descendsFrom, type ExportedSpan, OtlpCollector, SPAN_KIND } from './otlp-collector';

const KEY = 'tracing-test-key';
const REQUEST_ID = 'tracing-request-1';
const WEBHOOK_SECRET = 'whsec_dHJhY2luZy10ZXN0LXdlYmhvb2stc2VjcmV0';

const stdoutLines = (p: AppProcess): LogLine[] =>
  p
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

/**
 * The api and the worker as processes (`node dist/main.js`), exporting over OTLP/HTTP to a real
 * OpenTelemetry Collector, which writes what it receives to a file the test reads.
 */
describe('tracing: one trace from the HTTP request to the LLM and search calls, in a real collector', () => {
  let collector: OtlpCollector;
  let servers: LlmServers;
  let backends: TestBackends;
  let processes: AppProcesses;
  let api: AppProcess;
  let worker: AppProcess;
  /** Headers of the webhook deliveries the receiver got. */
  const webhooks: IncomingHttpHeaders[] = [];
  let receiver: Server;
  let webhookUrl: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      webhooks.push(req.headers);
      req.resume().on('end', () => res.end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    collector = await OtlpCollector.start();
    servers = await startLlmServers();
    backends = testBackends();
    processes = new AppProcesses(processBackends(backends), {
      ...servers.env,
      API_KEYS: KEY,
      WEBHOOK_SECRET,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      // The SDK's batch delay (a standard OTEL_ variable), so the test need not wait 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    [api, worker] = await Promise.all([processes.start('api'), processes.start('worker')]);
  }, 120_000);

  afterAll(async () => {
    await processes?.killAll();
    await servers?.close();
    await collector?.stop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    if (backends) {
      const db = await createConnection(backends.mongoUri, { dbName: backends.mongoDbName })
        .asPromise()
        .catch(() => undefined);
      await db?.dropDatabase().catch(() => undefined);
      await db?.close();
    }
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${api.base}${path}`, {
      ...init,
      headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json', ...init.headers },
    });

  it('links the request, MongoDB, Redis, the queue, the router, the agent and its HTTP calls, and the logs', async () => {
    const res = await call('/v1/agent/execute', {
      method: 'POST',
      headers: { 'X-Request-Id': REQUEST_ID },
      body: JSON.stringify({
        task: 'Write a short blog post about Redis streams',
        webhook_url: webhookUrl,
      }),
    });
    expect(res.status).toBe(200);
    const { task_id: taskId } = (await res.json()) as { task_id: string };
    await waitFor(async () => {
      const task = (await (await call(`/v1/tasks/${taskId}`)).json()) as { status: string };
      return task.status === 'completed';
    }, 'the task to complete');

    const of = (spans: ExportedSpan[]) => ({
      server: spans.find(
        (s) => s.kind === SPAN_KIND.SERVER && s.attributes['http.route'] === '/v1/agent/execute',
      ),
      agent: spans.find((s) => s.name === 'agent.run' && s.attributes['task.id'] === taskId),
    });
    const { trace, server } = await waitFor(
      () => {
        const all = collector.spans();
        const found = of(all);
        if (!found.server || !found.agent) return undefined;
        const trace = all.filter((s) => s.traceId === found.server!.traceId);
        const llmCalls = trace.filter((s) => s.name === 'llm.chat');
        // Everything the worker did has ended once its consumer spans are exported: the task's
        // and the webhook delivery's.
        const consumed = trace.filter((s) => s.kind === SPAN_KIND.CONSUMER).length >= 2;
        return llmCalls.length >= 2 && consumed && { trace, server: found.server };
      },
      'the spans of the task in the collector',
      30_000,
    );
    const inTrace = (pick: (s: ExportedSpan) => boolean, what: string): ExportedSpan[] => {
      const found = trace.filter(pick);
      expect({ what, found: found.length > 0 }).toEqual({ what, found: true });
      return found;
    };
    const mode = (s: ExportedSpan) => s.resource['agent_orchestrator.mode'];

    // The request, as the HTTP and express instrumentations see it, on the api.
    expect(mode(server)).toBe('api');
    expect(server.resource['service.name']).toBe('agent-orchestrator');
    // MongoDB and Redis, from both processes.
    for (const m of ['api', 'worker']) {
      inTrace((s) => s.scope.includes('instrumentation-mongodb') && mode(s) === m, `mongodb ${m}`);
      inTrace((s) => s.scope.includes('instrumentation-ioredis') && mode(s) === m, `ioredis ${m}`);
    }
    // The queue, by BullMQ's own telemetry (bullmq-otel): enqueued under the request, consumed on
    // the worker under the enqueue, the task's attributes on the consumer span.
    const [producer] = inTrace(
      (s) => s.kind === SPAN_KIND.PRODUCER && s.name.includes('agent_tasks'),
      'queue producer',
    );
    const [consumer] = inTrace(
      (s) => s.kind === SPAN_KIND.CONSUMER && s.name.includes('agent_tasks'),
      'queue consumer',
    );
    expect(producer).toMatchObject({
      name: 'add agent_tasks.process_task',
      scope: 'bullmq',
      attributes: { 'bullmq.job.id': taskId },
    });
    expect(consumer).toMatchObject({
      name: 'process agent_tasks',
      scope: 'bullmq',
      attributes: { 'task.id': taskId, 'agent.name': 'ContentAgent', 'task.status': 'completed' },
    });
    expect(mode(producer)).toBe('api');
    expect(descendsFrom(producer, server, trace)).toBe(true);
    expect(mode(consumer)).toBe('worker');
    expect(descendsFrom(consumer, producer, trace)).toBe(true);
    // Our domain spans: routing, then the agent, each with its LLM call under it.
    const [route] = inTrace((s) => s.name === 'peer_agent.route', 'router span');
    const [agent] = inTrace((s) => s.name === 'agent.run', 'agent span');
    expect(route.attributes).toMatchObject({
      'task.id': taskId,
      'routing.agent_name': 'ContentAgent',
    });
    expect(agent.attributes).toMatchObject({ 'task.id': taskId, 'agent.name': 'ContentAgent' });
    for (const span of [route, agent]) expect(descendsFrom(span, consumer, trace)).toBe(true);
    const llmCalls = inTrace((s) => s.name === 'llm.chat', 'LLM calls');
    expect(llmCalls.filter((c) => descendsFrom(c, route, trace))).toHaveLength(1);
    expect(llmCalls.filter((c) => descendsFrom(c, agent, trace)).length).toBeGreaterThan(0);
    for (const call of llmCalls) {
      expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(call.attributes['llm.cost_usd']).toEqual(expect.any(Number));
      // The OpenAI client's own HTTP request (fetch, so undici), under the call.
      const http = trace.filter(
        (s) =>
          s.kind === SPAN_KIND.CLIENT &&
          s.scope.includes('instrumentation-undici') &&
          String(s.attributes['url.full']).startsWith(servers.llm.url) &&
          descendsFrom(s, call, trace),
      );
      expect(http.length).toBeGreaterThan(0);
    }
    // The web search and the Tavily client's HTTP request (axios, so node:http) under it.
    const [search] = inTrace((s) => s.name === 'web_search', 'web search span');
    expect(descendsFrom(search, agent, trace)).toBe(true);
    inTrace(
      (s) =>
        s.kind === SPAN_KIND.CLIENT &&
        s.scope.includes('instrumentation-http') &&
        String(s.attributes['url.full']).startsWith(servers.search.url) &&
        descendsFrom(s, search, trace),
      'search HTTP client span',
    );

    // The task's webhook: enqueued by the worker as the task ends, delivered in the same trace,
    // and the receiver gets the trace context with the request.
    const [webhookProducer] = inTrace(
      (s) => s.kind === SPAN_KIND.PRODUCER && s.name === 'add webhooks.deliver_webhook',
      'webhook queue producer',
    );
    expect(descendsFrom(webhookProducer, consumer, trace)).toBe(true);
    const [webhookConsumer] = inTrace(
      (s) => s.kind === SPAN_KIND.CONSUMER && s.name === 'process webhooks',
      'webhook queue consumer',
    );
    expect(descendsFrom(webhookConsumer, webhookProducer, trace)).toBe(true);
    const [delivery] = inTrace(
      (s) =>
        s.kind === SPAN_KIND.CLIENT &&
        String(s.attributes['url.full']).startsWith(webhookUrl) &&
        descendsFrom(s, webhookConsumer, trace),
      'webhook delivery HTTP client span',
    );
    expect(webhooks.map((h) => String(h.traceparent).split('-')[1])).toEqual([server.traceId]);
    expect(delivery.traceId).toBe(server.traceId);

    // The log lines of the task, on both processes, carry the trace id.
    const traceId = server.traceId;
    const apiLines = stdoutLines(api).filter((l) => l.request_id === REQUEST_ID);
    expect(apiLines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['task created', 'request completed']),
    );
    expect(apiLines.filter((l) => l.trace_id !== traceId)).toEqual([]);
    const workerLines = stdoutLines(worker).filter((l) => l.task_id === taskId);
    expect(workerLines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['task routed', 'task completed']),
    );
    expect(workerLines.filter((l) => l.trace_id !== traceId)).toEqual([]);
  }, 90_000);

  it('keeps an API key sent in the query string out of every exported span', async () => {
    const res = await call('/v1/agent/execute', {
      method: 'POST',
      body: JSON.stringify({ task: 'Write a Python function that adds two numbers' }),
    });
    const { task_id: taskId } = (await res.json()) as { task_id: string };
    // EventSource's way: the key in the URL, no header.
    const stream = await fetch(`${api.base}/v1/tasks/${taskId}/events?api_key=${KEY}`);
    expect(stream.status).toBe(200);
    await stream.text(); // the stream closes after the task's final event
    const span = await waitFor(
      () =>
        collector
          .spans()
          .find(
            (s) =>
              s.kind === SPAN_KIND.SERVER &&
              s.attributes['http.route'] === '/v1/tasks/:task_id/events',
          ),
      'the SSE request span',
    );
    expect(span.attributes['url.query']).toBe('api_key=REDACTED');
    // Nor in the NestJS handler span's url.full, nor anywhere else.
    const handler = collector
      .spans()
      .find((s) => s.traceId === span.traceId && s.name === 'TaskEventsController.events');
    expect(handler?.attributes['url.full']).toBe(`/v1/tasks/${taskId}/events?api_key=[redacted]`);
    expect(collector.text()).not.toContain(KEY);
  });
});
