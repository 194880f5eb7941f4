import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  type LlmServers,
  type ServiceProcess,
  startLlmServers,
  startRedisServer,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AppProcesses, settledAudit, waitUntilFinished } from '../../libs/testing/src/reliability';
import { processBackends, submitWithFirstHeld } from './chaos-fixture';

const WORKER_ENV = {
  WORKER_CONCURRENCY: '4',
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  RECONCILE_INTERVAL_MS: '1000',
  RECONCILE_QUEUED_AFTER_MS: '2000',
  QUEUE_RETRY_BACKOFF_MS: '200',
  LLM_MAX_RETRIES: '0',
};

/**
 * The test's own redis-server (no persistence) is stopped while tasks run and started again
 * empty on the same port: queue jobs and event streams are gone, and the reconciler must give
 * every accepted task a job again. Nothing is restarted but Redis.
 */
describe('Redis lost mid-run', () => {
  let servers: LlmServers;
  let redis: ServiceProcess;
  let api: TestApp;
  let db: Connection;

  beforeAll(async () => {
    servers = await startLlmServers({ latencyMs: 300 });
    const owned = await startRedisServer();
    redis = owned.process;
    api = await createTestApp({
      mode: 'api',
      backends: { ...testBackends(), redisUrl: owned.url },
      env: { ...servers.env, REDIS_URL: owned.url, HEALTH_CHECK_TIMEOUT_MS: '500' },
    });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
    await servers?.close();
  });

  const http = () => request(api.app.getHttpServer());
  const submit = (task: string) => http().post('/v1/agent/execute').send({ task });

  it('refuses tasks with 503 QUEUE_UNAVAILABLE while Redis is down, recovers by itself, and finishes every accepted task', async () => {
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
    });
    try {
      const worker = await processes.start('worker');
      // The first four tasks (the worker's concurrency) are held mid-call at the LLM server, so
      // they are running when Redis goes and the other sixteen are still waiting in the queue.
      const texts = Array.from(
        { length: 20 },
        (_, i) => `Write a Python function before the outage ${i}`,
      );
      const { accepted, release } = await submitWithFirstHeld(
        servers.llm,
        (text) => submit(text).expect(200),
        texts,
        4,
      );

      await redis.stop();
      release();
      const refusedTexts = [
        'Write a Python function during the outage 1',
        'Write a Python function during the outage 2',
      ];
      for (const text of refusedTexts) {
        const res = await submit(text);
        expect({ status: res.status, body: res.body }).toEqual({
          status: 503,
          body: { error: { code: 'QUEUE_UNAVAILABLE', message: expect.any(String) } },
        });
      }
      const refused = await db
        .collection('tasks')
        .find({ input_text: { $in: refusedTexts } })
        .toArray();
      expect(refused.map((t) => [t.status, t.error?.code])).toEqual([
        ['failed', 'QUEUE_UNAVAILABLE'],
        ['failed', 'QUEUE_UNAVAILABLE'],
      ]);
      expect((await http().get('/health')).text).toBe(
        'degraded | mongo=up | redis=down | env=test',
      );
      await http().get('/v1/tasks').expect(200);

      // Back, empty, on the same port. Neither the API nor the worker is restarted.
      await redis.start();
      const afterOutage = await waitFor(
        async () => {
          const res = await submit('Write a Python function after the outage 0');
          return res.status === 200 ? (res.body.task_id as string) : undefined;
        },
        'the API to accept tasks again',
        30_000,
      );
      accepted.push(afterOutage);
      for (let i = 1; i < 10; i++) {
        const res = await submit(`Write a Python function after the outage ${i}`).expect(200);
        accepted.push(res.body.task_id as string);
      }

      await waitUntilFinished(db, accepted, 120_000);
      const audit = await settledAudit(db, accepted);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: accepted.length });
      // The refused tasks stayed failed: none was run later.
      const still = await db
        .collection('tasks')
        .find({ input_text: { $in: refusedTexts } })
        .toArray();
      expect(still.map((t) => t.status)).toEqual(['failed', 'failed']);
      await http().get('/health').expect(200, 'ok | mongo=up | redis=up | env=test');
      expect(await (await fetch(`${worker.base}/health`)).text()).toBe(
        'ok | mongo=up | redis=up | env=test',
      );
      const requeued = await db
        .collection('logs')
        .countDocuments({ 'context.task_id': { $in: accepted }, message: /^task re-enqueued/ });
      process.stdout.write(
        `[reliability] Redis lost: ${accepted.length} accepted tasks completed, ${requeued} re-enqueued by the reconciler\n`,
      );
      // The waiting jobs vanished with Redis: only the reconciler could have given them new ones.
      expect(requeued).toBeGreaterThan(0);
    } finally {
      await processes.killAll();
    }
  }, 240_000);
});
