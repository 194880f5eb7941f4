import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp, waitFor } from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { QueueJobsCollector } from '../../src/metrics/queue-jobs.collector';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';
import { TaskReconciler } from '../../src/tasks/task-reconciler.service';
import { type Pipeline, startPipeline, waitForStatus } from '../tasks/pipeline-fixture';
import { PrometheusText } from './prometheus-text';
import { MINUTE, seedTasks } from './seed-tasks';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** Every family the API side defines, with its type. */
const FAMILIES = {
  api_http_requests_total: 'COUNTER',
  api_http_request_duration_seconds: 'HISTOGRAM',
  agent_orchestrator_tasks_total: 'COUNTER',
  agent_orchestrator_task_duration_seconds: 'HISTOGRAM',
  agent_orchestrator_queue_jobs: 'GAUGE',
  agent_orchestrator_llm_requests_total: 'COUNTER',
  agent_orchestrator_llm_request_duration_seconds: 'HISTOGRAM',
  agent_orchestrator_llm_tokens_total: 'COUNTER',
  agent_orchestrator_llm_cost_usd_total: 'COUNTER',
  agent_orchestrator_reconciler_requeued_total: 'COUNTER',
  agent_orchestrator_webhook_deliveries_total: 'COUNTER',
  agent_orchestrator_rate_limited_total: 'COUNTER',
  agent_orchestrator_sse_connections: 'GAUGE',
  process_cpu_user_seconds_total: 'COUNTER',
} as const;

/** Only the API records these; a worker never exports them. */
const API_ONLY = ['agent_orchestrator_sse_connections', 'agent_orchestrator_rate_limited_total'];

/** The spec's HTTP metrics, ours, and Node's standard process and runtime metrics (prom-client). */
const FAMILY_NAME = /^(api_http_|agent_orchestrator_|process_|nodejs_)/;

async function scrape(t: TestApp): Promise<PrometheusText> {
  const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return new PrometheusText(res.text);
}

describe('GET /metrics (Prometheus) in the API and the worker', () => {
  let pipeline: Pipeline;
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    pipeline = await startPipeline({ mode: 'all' });
    ({ t, db } = pipeline);
  });
  afterAll(() => pipeline.close());

  const http = () => request(t.app.getHttpServer());

  it('exposes valid text exposition with every metric family the service defines', async () => {
    await t.app.get(QueueJobsCollector).refresh();
    const metrics = await scrape(t);
    for (const [name, type] of Object.entries(FAMILIES)) {
      expect({ name, type: metrics.family(name).type }).toEqual({ name, type });
    }
    expect(metrics.series('agent_orchestrator_queue_jobs').map((s) => s.labels.state)).toEqual(
      expect.arrayContaining(['waiting', 'delayed', 'active', 'failed', 'completed']),
    );
    const stray = [...metrics.families.keys()].filter((name) => !FAMILY_NAME.test(name));
    expect(stray).toEqual([]);
  });

  it('labels requests by route template, and paths that match no route as unmatched', async () => {
    const before = await scrape(t);
    const taskId = '0b0f6d8e-7d43-4d55-9d43-1f0c2f6a7e11';
    await http().get(`/v1/tasks/${taskId}`).expect(404);
    await http().get('/v1/tasks/another-id').expect(404);
    await http().get(`/no/such/path/${taskId}`).expect(404);
    // Refused by the body parser, a middleware that runs before routing.
    await http()
      .post('/v1/agent/execute')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    await http().get('/v1/tasks?page=0').expect(422);
    const after = await scrape(t);

    const delta = (labels: Record<string, string>) =>
      after.value('api_http_requests_total', labels) -
      before.value('api_http_requests_total', labels);
    expect(delta({ method: 'GET', endpoint: '/v1/tasks/{task_id}', status_code: '404' })).toBe(2);
    expect(delta({ method: 'GET', endpoint: 'unmatched', status_code: '404' })).toBe(1);
    expect(delta({ method: 'POST', endpoint: '/v1/agent/execute', status_code: '415' })).toBe(1);
    expect(delta({ method: 'GET', endpoint: '/v1/tasks', status_code: '422' })).toBe(1);
    const durations = (s: PrometheusText) =>
      s.histogramCount('api_http_request_duration_seconds', {
        method: 'GET',
        endpoint: '/v1/tasks/{task_id}',
      });
    expect(durations(after) - durations(before)).toBe(2);
    // No raw path ever becomes a label value.
    const endpoints = after.series('api_http_requests_total').map((s) => s.labels.endpoint);
    expect(endpoints.filter((e) => e.includes(taskId) || e.includes('another-id'))).toEqual([]);
    expect(endpoints).toContain('/metrics');
    // The labels are the routes as the README writes them.
    const documented = (route: string) =>
      new RegExp(`(^|[\\s\`])${route.replace(/[{}]/g, '\\$&')}($|[\\s\`?,.)])`, 'm').test(README);
    const undocumented = endpoints.filter((e) => e !== 'unmatched' && !documented(e));
    expect(undocumented).toEqual([]);
    expect(after.histogramCounts('api_http_request_duration_seconds')[0].labels).toEqual({
      method: expect.any(String) as string,
      endpoint: expect.any(String) as string,
    });
  });

  it('counts a task run through the LLM test server: task, duration, LLM calls, tokens and cost', async () => {
    const before = await scrape(t);
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a Python function that reverses a string' })
      .expect(200);
    const task = await waitForStatus(t, res.body.task_id as string);
    expect(task.status).toBe('completed');
    expect(task.selected_agent).toBe('CodeAgent');
    const after = await waitFor(async () => {
      const s = await scrape(t);
      const done = s.value('agent_orchestrator_tasks_total', {
        agent: 'CodeAgent',
        status: 'completed',
      });
      return (
        done >
          before.value('agent_orchestrator_tasks_total', {
            agent: 'CodeAgent',
            status: 'completed',
          }) && s
      );
    }, 'agent_orchestrator_tasks_total to count the task');

    const delta = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels);
    expect(
      delta('agent_orchestrator_tasks_total', { agent: 'CodeAgent', status: 'completed' }),
    ).toBe(1);
    const taskDurations = (s: PrometheusText) =>
      s.histogramCount('agent_orchestrator_task_duration_seconds', { agent: 'CodeAgent' });
    expect(taskDurations(after) - taskDurations(before)).toBe(1);
    // The router (gpt-4.1-mini) and the CodeAgent (gpt-4.1) each made one successful call.
    expect(
      delta('agent_orchestrator_llm_requests_total', { model: 'gpt-4.1-mini', outcome: 'success' }),
    ).toBe(1);
    expect(
      delta('agent_orchestrator_llm_requests_total', { model: 'gpt-4.1', outcome: 'success' }),
    ).toBe(1);
    const llmDurations = (s: PrometheusText) =>
      s.histogramCount('agent_orchestrator_llm_request_duration_seconds', { model: 'gpt-4.1' });
    expect(llmDurations(after) - llmDurations(before)).toBe(1);
    // Tokens and cost add up to what the task itself records.
    expect(delta('agent_orchestrator_llm_tokens_total', { kind: 'prompt' })).toBe(
      task.cost.prompt_tokens,
    );
    expect(delta('agent_orchestrator_llm_tokens_total', { kind: 'completion' })).toBe(
      task.cost.completion_tokens,
    );
    expect(delta('agent_orchestrator_llm_cost_usd_total')).toBeCloseTo(
      task.cost.usd_estimate ?? -1,
      8,
    );
    expect(delta('agent_orchestrator_llm_cost_usd_total', { model: 'gpt-4.1' })).toBeGreaterThan(0);
    // The job itself completes once the runner returns, just after the task does.
    await waitFor(async () => {
      await t.app.get(QueueJobsCollector).refresh();
      return (await scrape(t)).value('agent_orchestrator_queue_jobs', { state: 'completed' }) >= 1;
    }, 'agent_orchestrator_queue_jobs to show the completed job');
    // Without tracing the job carries no trace context: the task id, and that it began its session.
    const job = await t.app.get<Queue>(getQueueToken(TASK_QUEUE)).getJob(task.task_id);
    expect(job?.data).toEqual({ task_id: task.task_id, new_session: true });
  });

  it('counts an SSE stream as a request but keeps its lifetime out of the latency histogram', async () => {
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a Python function that adds two numbers' })
      .expect(200);
    const taskId = res.body.task_id as string;
    await waitForStatus(t, taskId);
    const endpoint = '/v1/tasks/{task_id}/events';
    const before = await scrape(t);
    // The stream replays the finished task's events and closes after the final one.
    const stream = await http().get(`/v1/tasks/${taskId}/events`).expect(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    const after = await scrape(t);
    const requests = (s: PrometheusText) =>
      s.value('api_http_requests_total', { method: 'GET', endpoint, status_code: '200' });
    expect(requests(after) - requests(before)).toBe(1);
    expect(after.histogramCount('api_http_request_duration_seconds', { endpoint })).toBe(0);
  });

  it('counts the tasks the reconciler puts back on the queue', async () => {
    const [lost] = await seedTasks(db, [
      { status: 'queued', createdAt: new Date(Date.now() - 10 * MINUTE) },
    ]);
    const before = await scrape(t);
    expect(await t.app.get(TaskReconciler).reconcile()).toEqual([lost]);
    const after = await scrape(t);
    expect(
      after.value('agent_orchestrator_reconciler_requeued_total') -
        before.value('agent_orchestrator_reconciler_requeued_total'),
    ).toBe(1);
    await waitForStatus(t, lost);
  });

  it('serves the shared families on a worker’s own HTTP listener, without the API-only ones', async () => {
    const worker = await createTestApp({
      mode: 'worker',
      backends: t.backends,
      keepDatabase: true,
      env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined },
    });
    try {
      await request(worker.app.getHttpServer()).get('/v1/tasks').expect(404);
      const metrics = await scrape(worker);
      const shared = Object.keys(FAMILIES).filter((name) => !API_ONLY.includes(name));
      expect(shared.filter((name) => !metrics.families.has(name))).toEqual([]);
      expect(API_ONLY.filter((name) => metrics.families.has(name))).toEqual([]);
      expect(
        metrics.value('api_http_requests_total', {
          method: 'GET',
          endpoint: 'unmatched',
          status_code: '404',
        }),
      ).toBe(1);
    } finally {
      await worker.close();
    }
  });
});
