import { getConnectionToken } from '@nestjs/mongoose';
import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { apiKeyId } from '../../src/auth/api-key-id';
import { PrometheusText } from './prometheus-text';
import { DAY, MINUTE, seedTasks, todayAt } from './seed-tasks';

const KEY_A = 'budget-key-a';
const KEY_B = 'budget-key-b';
const KEY_C = 'budget-key-c';
const day = (offset: number): string =>
  new Date(todayAt(0).getTime() + offset * DAY).toISOString().slice(0, 10);

describe('per-key budgets and GET /v1/usage', () => {
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    t = await createTestApp({
      // No worker: accepted tasks stay queued with no cost of their own.
      mode: 'api',
      env: {
        API_KEYS: [KEY_A, KEY_B, KEY_C].join(','),
        BUDGETS_JSON: JSON.stringify({
          [apiKeyId(KEY_A)]: { daily: 1 },
          [apiKeyId(KEY_C)]: { daily: 1 },
          '*': { monthly: 100 },
        }),
      },
    });
    db = t.app.get<Connection>(getConnectionToken());
  });
  afterAll(() => t.close());

  const execute = (key: string) =>
    request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .set('X-API-Key', key)
      .send({ task: 'Write a haiku about budgets' });

  it('refuses new tasks with 402 once the key’s spend today reaches its daily budget', async () => {
    await seedTasks(db, [
      {
        apiKeyId: apiKeyId(KEY_A),
        createdAt: todayAt(10 * MINUTE),
        cost: { prompt_tokens: 100, completion_tokens: 50, usd_estimate: 0.6 },
      },
    ]);
    await execute(KEY_A).expect(200);
    await seedTasks(db, [
      {
        apiKeyId: apiKeyId(KEY_A),
        status: 'failed',
        createdAt: todayAt(11 * MINUTE),
        cost: { prompt_tokens: 80, completion_tokens: 20, usd_estimate: 0.5 },
      },
      // Unknown costs count as nothing.
      { apiKeyId: apiKeyId(KEY_A), createdAt: todayAt(12 * MINUTE), cost: { usd_estimate: null } },
    ]);
    const refused = await execute(KEY_A).expect(402);
    expect(refused.body).toEqual({
      error: {
        code: 'BUDGET_EXCEEDED',
        message: expect.stringContaining('daily budget of 1 USD') as string,
        details: {
          spent_usd: 1.1,
          budget_usd: 1,
          period: 'daily',
          resets_at: `${day(1)}T00:00:00.000Z`,
        },
      },
    });
    expect(
      await db.collection('tasks').countDocuments({ 'metadata.api_key_id': apiKeyId(KEY_A) }),
    ).toBe(4);
    // Other keys are not affected.
    await execute(KEY_B).expect(200);
    // Prometheus sees the refusal, by key and period (AgentOrchestratorBudgetExhausted).
    const metrics = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(
      new PrometheusText(metrics.text).series('agent_orchestrator_budget_refusals_total'),
    ).toEqual([{ labels: { api_key_id: apiKeyId(KEY_A), period: 'daily' }, value: 1 }]);
  });

  it('counts only the current UTC day against a daily budget', async () => {
    await seedTasks(db, [
      {
        apiKeyId: apiKeyId(KEY_C),
        createdAt: new Date(todayAt(0).getTime() - 5 * MINUTE),
        cost: { usd_estimate: 50 },
      },
    ]);
    await execute(KEY_C).expect(200);
  });

  it('applies the "*" monthly budget to keys without one of their own', async () => {
    await seedTasks(db, [
      { apiKeyId: apiKeyId(KEY_B), createdAt: todayAt(MINUTE), cost: { usd_estimate: 100 } },
    ]);
    const refused = await execute(KEY_B).expect(402);
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(refused.body.error.details).toEqual({
      spent_usd: 100,
      budget_usd: 100,
      period: 'monthly',
      resets_at: nextMonth.toISOString(),
    });
  });

  it('reports the key’s own tokens, USD and task counts per UTC day', async () => {
    await seedTasks(db, [
      {
        apiKeyId: apiKeyId(KEY_A),
        createdAt: todayAt(-2 * DAY + 10 * MINUTE),
        cost: { prompt_tokens: 10, completion_tokens: 5, usd_estimate: 0.25 },
      },
    ]);
    const res = await request(t.app.getHttpServer())
      .get('/v1/usage')
      .query({ from: day(-3), to: day(0) })
      .set('X-API-Key', KEY_A)
      .expect(200);
    const empty = {
      tasks: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      usd: 0,
    };
    const twoDaysAgo = {
      ...empty,
      tasks: 1,
      completed: 1,
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      usd: 0.25,
    };
    // The two seeded tasks with costs, the one with an unknown cost, and the queued one it accepted.
    const today = {
      ...empty,
      tasks: 4,
      completed: 2,
      failed: 1,
      prompt_tokens: 180,
      completion_tokens: 70,
      total_tokens: 250,
      usd: 1.1,
    };
    expect(res.body).toEqual({
      api_key_id: apiKeyId(KEY_A),
      from: day(-3),
      to: day(0),
      totals: {
        tasks: 5,
        completed: 3,
        failed: 1,
        cancelled: 0,
        prompt_tokens: 190,
        completion_tokens: 75,
        total_tokens: 265,
        usd: 1.35,
      },
      days: [
        { date: day(-3), ...empty },
        { date: day(-2), ...twoDaysAgo },
        { date: day(-1), ...empty },
        { date: day(0), ...today },
      ],
    });
    // The figures are the tasks' own costs.
    const stored = await db
      .collection('tasks')
      .find({ 'metadata.api_key_id': apiKeyId(KEY_A) })
      .toArray();
    const usd = stored.reduce(
      (sum, task) => sum + ((task.cost?.usd_estimate as number | null) ?? 0),
      0,
    );
    expect(res.body.totals.usd).toBeCloseTo(usd, 9);
  });

  it('defaults to the last 30 days and refuses bad or too long ranges with 422', async () => {
    const http = () => request(t.app.getHttpServer()).get('/v1/usage').set('X-API-Key', KEY_B);
    const recent = await http().expect(200);
    expect(recent.body.days).toHaveLength(30);
    expect(recent.body.to).toBe(day(0));
    const cases: [Record<string, string>, string][] = [
      [{ from: '2026-02-30', to: '2026-03-02' }, 'from'],
      [{ from: '01/02/2026' }, 'from'],
      [{ from: '2026-03-02', to: '2026-03-01' }, 'from'],
      [{ from: '2025-01-01', to: '2026-01-02' }, 'from'],
      [{ to: 'today' }, 'to'],
    ];
    for (const [query, field] of cases) {
      const res = await http().query(query).expect(422);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details[0].field).toBe(field);
    }
    await http().query({ from: '2025-01-01', to: '2026-01-01' }).expect(200);
    await request(t.app.getHttpServer()).get('/v1/usage').expect(401);
  });
});
