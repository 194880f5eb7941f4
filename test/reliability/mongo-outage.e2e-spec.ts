import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  type LlmServers,
  type StartedMongo,
  startLlmServers,
  startMongoFromPath,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AppProcesses, settledAudit, waitUntilFinished } from '../../libs/testing/src/reliability';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';
import { processBackends, submitWithFirstHeld } from './chaos-fixture';

const WORKER_ENV = {
  WORKER_CONCURRENCY: '4',
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  RECONCILE_INTERVAL_MS: '1000',
  RECONCILE_QUEUED_AFTER_MS: '2000',
  QUEUE_MAX_RETRIES: '1',
  QUEUE_RETRY_BACKOFF_MS: '200',
  LLM_MAX_RETRIES: '0',
  HEALTH_CHECK_TIMEOUT_MS: '500',
};

/**
 * The test's own MongoDB-compatible server (mongod or FerretDB from the PATH) is stopped while
 * tasks run and started again on the same port with the same data. Nothing else is restarted.
 */
describe('MongoDB lost mid-run', () => {
  let servers: LlmServers;
  let mongo: StartedMongo;
  let api: TestApp;
  let db: Connection;

  beforeAll(async () => {
    servers = await startLlmServers({ latencyMs: 300 });
    const started = await startMongoFromPath();
    if (!started)
      throw new Error('This test needs mongod or ferretdb on the PATH to stop and start one.');
    mongo = started;
    api = await createTestApp({
      mode: 'api',
      backends: { ...testBackends(), mongoUri: mongo.uri },
      env: { ...servers.env, MONGO_URI: mongo.uri, HEALTH_CHECK_TIMEOUT_MS: '500' },
    });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await api?.close();
    await mongo?.process.stop();
    await servers?.close();
  });

  const http = () => request(api.app.getHttpServer());
  const submit = (task: string) => http().post('/v1/agent/execute').send({ task });

  it('answers 503 envelopes and /health 503 while MongoDB is down, then recovers by itself and finishes every accepted task', async () => {
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
    });
    try {
      const worker = await processes.start('worker');
      // The first four tasks (the worker's concurrency) are held mid-call at the LLM server, so
      // they are running when the database goes and the other eleven are still waiting.
      const texts = Array.from(
        { length: 15 },
        (_, i) => `Write a Python function before the database outage ${i}`,
      );
      const { accepted, release } = await submitWithFirstHeld(
        servers.llm,
        (text) => submit(text).expect(200),
        texts,
        4,
      );
      const port = mongo.process.port;

      await mongo.process.stop();
      // The held calls answer now, into a worker that cannot save.
      release();
      const refusals = await Promise.all([
        submit('Write a Python function during the database outage'),
        http().get('/v1/tasks'),
        http().get(`/v1/tasks/${accepted[0]}`),
      ]);
      for (const res of refusals) {
        expect({ status: res.status, body: res.body }).toEqual({
          status: 503,
          body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } },
        });
      }
      const health = await http().get('/health');
      expect([health.status, health.text]).toEqual([
        503,
        'degraded | mongo=down | redis=up | env=test',
      ]);
      expect((await fetch(`${worker.base}/health`)).status).toBe(503);
      // Down long enough for jobs to use up their attempts.
      const queue = api.app.get<Queue>(getQueueToken(TASK_QUEUE));
      await waitFor(
        async () => (await queue.getFailedCount()) > 0,
        'jobs to fail for good',
        60_000,
      );
      const failedForGood = await queue.getFailedCount();

      // Back on the same port, with the same data. The API and the worker keep running.
      await mongo.process.start();
      expect(mongo.process.port).toBe(port);
      const afterOutage = await waitFor(
        async () => {
          const res = await submit('Write a Python function after the database outage 0');
          return res.status === 200 ? (res.body.task_id as string) : undefined;
        },
        'the API to accept tasks again',
        60_000,
      );
      accepted.push(afterOutage);
      for (let i = 1; i < 10; i++) {
        const res = await submit(`Write a Python function after the database outage ${i}`).expect(
          200,
        );
        accepted.push(res.body.task_id as string);
      }

      await waitUntilFinished(db, accepted, 120_000);
      const audit = await settledAudit(db, accepted);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: accepted.length });
      await http().get('/health').expect(200, 'ok | mongo=up | redis=up | env=test');
      await waitFor(
        async () => (await fetch(`${worker.base}/health`)).status === 200,
        'the worker to be healthy',
      );
      const requeued = await db
        .collection('logs')
        .countDocuments({ 'context.task_id': { $in: accepted }, message: /^task re-enqueued/ });
      process.stdout.write(
        `[reliability] MongoDB lost: ${accepted.length} accepted tasks completed, ${failedForGood} jobs had failed for good while it was down, ${requeued} tasks re-enqueued by the reconciler\n`,
      );
      expect(requeued).toBeGreaterThan(0);
    } finally {
      await processes.killAll();
    }
  }, 240_000);
});
