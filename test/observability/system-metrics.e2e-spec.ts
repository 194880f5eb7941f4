import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  freePort,
  OpenAiTestServer,
  type TestApp,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { MetricsSnapshotWriter } from '../../src/system-metrics/metrics-snapshot.writer';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';
import { DAY, MINUTE, seedTasks, type SeedTask, todayAt } from './seed-tasks';

/** Unset so a configured developer machine does not change what the tests see. */
const NO_LLM = { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined };

/**
 * Today: 20 completed tasks with latencies 100, 200, ... 2000 ms (12 CodeAgent, 8 ContentAgent),
 * 2 failed (one CodeAgent, one never routed), 1 cancelled ContentAgent, 2 queued and
 * 1 processing (not routed yet). Yesterday: 5 slow CodeAgent tasks that must not count.
 */
function seededDay(): SeedTask[] {
  const seeds: SeedTask[] = [];
  for (let i = 1; i <= 20; i++) {
    seeds.push({
      status: 'completed',
      agent: i <= 12 ? 'CodeAgent' : 'ContentAgent',
      createdAt: todayAt(i * MINUTE),
      latencyMs: i * 100,
      cost: { prompt_tokens: 10, completion_tokens: 5, usd_estimate: 0.01 },
    });
  }
  seeds.push(
    {
      status: 'failed',
      agent: 'CodeAgent',
      createdAt: todayAt(30 * MINUTE),
      cost: { prompt_tokens: 10, completion_tokens: 5, usd_estimate: null },
    },
    { status: 'failed', agent: null, createdAt: todayAt(31 * MINUTE) },
    { status: 'cancelled', agent: 'ContentAgent', createdAt: todayAt(32 * MINUTE) },
    { status: 'queued', createdAt: todayAt(33 * MINUTE) },
    { status: 'queued', createdAt: todayAt(34 * MINUTE) },
    { status: 'processing', createdAt: todayAt(35 * MINUTE) },
  );
  for (let i = 1; i <= 5; i++) {
    seeds.push({
      status: 'completed',
      agent: 'CodeAgent',
      createdAt: new Date(todayAt(0).getTime() - DAY + i * MINUTE),
      latencyMs: 999_000,
      cost: { prompt_tokens: 1000, completion_tokens: 1000, usd_estimate: 5 },
    });
  }
  return seeds;
}

interface MetricsBody {
  queue: Record<string, number | null>;
  today: {
    date: string;
    total_tasks: number;
    tasks_per_agent: Record<string, number>;
    completed: number;
    failed: number;
    cancelled: number;
  };
  latency_ms: { avg: number | null; p50: number | null; p95: number | null; samples: number };
  cost_today: Record<string, number>;
  api_health: { status: string; dependencies: Record<string, string> };
  api_version: string;
}

describe('GET /v1/system/metrics and its history', () => {
  let llm: OpenAiTestServer;
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    llm = await OpenAiTestServer.start();
    t = await createTestApp({
      mode: 'api',
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test-openai-key' },
    });
    db = t.app.get<Connection>(getConnectionToken());
    await seedTasks(db, seededDay());
    // Jobs nobody consumes (mode api has no worker): three waiting, one waiting for a retry.
    const queue = t.app.get<Queue>(getQueueToken(TASK_QUEUE));
    for (const id of ['job-1', 'job-2', 'job-3']) {
      await queue.add('process_task', { task_id: id }, { jobId: id });
    }
    await queue.add('process_task', { task_id: 'job-4' }, { jobId: 'job-4', delay: 3_600_000 });
  });
  afterAll(async () => {
    await t.close();
    await llm.close();
  });

  it('reports today’s counts per agent and status, latency percentiles, cost and the queue', async () => {
    const res = await request(t.app.getHttpServer()).get('/v1/system/metrics').expect(200);
    const body = res.body as MetricsBody;
    expect(body.today).toEqual({
      date: todayAt(0).toISOString().slice(0, 10),
      total_tasks: 26,
      tasks_per_agent: { CodeAgent: 13, ContentAgent: 9 },
      completed: 20,
      failed: 2,
      cancelled: 1,
    });
    // Latencies 100..2000 ms: mean 1050; nearest rank: p50 the 10th value, p95 the 19th.
    expect(body.latency_ms).toEqual({ avg: 1050, p50: 1000, p95: 1900, samples: 20 });
    // 21 tasks with tokens (20 completed, 1 failed); the failed one's unknown USD counts 0.
    expect(body.cost_today).toEqual({
      prompt_tokens: 210,
      completion_tokens: 105,
      total_tokens: 315,
      usd: expect.closeTo(0.2, 9) as number,
    });
    expect(body.queue).toEqual({ pending_tasks: 4, waiting: 3, delayed: 1, active: 0, failed: 0 });
    expect(body.api_health).toEqual({
      status: 'healthy',
      dependencies: { mongo: 'up', redis: 'up', llm_provider: 'up' },
    });
    expect(body.api_version).toBe('v1');
    expect(llm.requests.filter((r) => r.path === '/v1/models')).toHaveLength(1);
  });

  it('gives the same figures on a second call, without asking the LLM provider again', async () => {
    const res = await request(t.app.getHttpServer()).get('/v1/system/metrics').expect(200);
    expect((res.body as MetricsBody).latency_ms).toEqual({
      avg: 1050,
      p50: 1000,
      p95: 1900,
      samples: 20,
    });
    expect(llm.requests.filter((r) => r.path === '/v1/models')).toHaveLength(1);
  });

  it('has one worker at a time write a snapshot, which the history returns', async () => {
    const workers = await Promise.all(
      [0, 1].map(() =>
        createTestApp({ mode: 'worker', backends: t.backends, keepDatabase: true, env: NO_LLM }),
      ),
    );
    try {
      const wrote = await Promise.all(
        workers.map((w) => w.app.get(MetricsSnapshotWriter).writeIfLeader()),
      );
      expect(wrote.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
    const res = await request(t.app.getHttpServer())
      .get('/v1/system/metrics/history')
      .query({ from: new Date(Date.now() - 3_600_000).toISOString() })
      .expect(200);
    expect(res.body.snapshots).toHaveLength(1);
    expect(res.body.snapshots[0]).toMatchObject({
      date: todayAt(0).toISOString().slice(0, 10),
      total_tasks: 26,
      tasks_per_agent: { CodeAgent: 13, ContentAgent: 9 },
      avg_latency_ms: 1050,
      queue_lengths: expect.objectContaining({ delayed: 1 }) as object,
    });
    const earlier = await request(t.app.getHttpServer())
      .get('/v1/system/metrics/history')
      .query({ to: new Date(Date.now() - 3_600_000).toISOString() })
      .expect(200);
    expect(earlier.body.snapshots).toEqual([]);
  });

  it('refuses a history range that is not two ordered ISO timestamps', async () => {
    const http = () => request(t.app.getHttpServer());
    const bad = await http().get('/v1/system/metrics/history?from=yesterday').expect(422);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const reversed = await http()
      .get('/v1/system/metrics/history')
      .query({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })
      .expect(422);
    expect(reversed.body.error.details).toEqual([
      { field: 'from', message: 'from must not be after to' },
    ]);
  });
});

describe('GET /v1/system/metrics: dependencies and access', () => {
  it('reports an unreachable LLM provider as down and the service as degraded', async () => {
    const closedPort = await freePort();
    const t = await createTestApp({
      mode: 'api',
      env: { OPENAI_BASE_URL: `http://127.0.0.1:${closedPort}/v1`, OPENAI_API_KEY: 'k' },
    });
    try {
      const res = await request(t.app.getHttpServer()).get('/v1/system/metrics').expect(200);
      expect(res.body.api_health).toEqual({
        status: 'degraded',
        dependencies: { mongo: 'up', redis: 'up', llm_provider: 'down' },
      });
      expect(res.body.latency_ms).toEqual({ avg: null, p50: null, p95: null, samples: 0 });
      expect(res.body.today.total_tasks).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('says unconfigured without a key or base URL, and needs an API key when auth is on', async () => {
    const t = await createTestApp({ mode: 'api', env: { ...NO_LLM, API_KEYS: 'metrics-key' } });
    try {
      const http = () => request(t.app.getHttpServer());
      const refused = await http().get('/v1/system/metrics').expect(401);
      expect(refused.body.error.code).toBe('HTTP_ERROR');
      await http().get('/v1/system/metrics/history').expect(401);
      const res = await http()
        .get('/v1/system/metrics')
        .set('X-API-Key', 'metrics-key')
        .expect(200);
      expect(res.body.api_health.dependencies.llm_provider).toBe('unconfigured');
      expect(res.body.api_health.status).toBe('degraded');
    } finally {
      await t.close();
    }
  });
});
