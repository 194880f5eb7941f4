import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  freePort,
  isRouterRequest,
  type LlmServers,
  type OpenAiTestServer,
  spawnApp,
  type SpawnedApp,
  startLlmServers,
  type TestApp,
  type TestBackends,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { FAST_RETRY_ENV, waitForStatus } from './pipeline-fixture';
import { queueHashTag } from '../../src/redis/redis-keys';

describe('an accepted task is never lost', () => {
  let servers: LlmServers;
  let llm: OpenAiTestServer;
  let llmEnv: Record<string, string>;
  let backends: TestBackends;
  let api: TestApp;
  let db: Connection;

  beforeAll(async () => {
    servers = await startLlmServers();
    llm = servers.llm;
    // The API and the workers it spawns run with the same LLM settings.
    llmEnv = { ...servers.env, ...FAST_RETRY_ENV };
    backends = testBackends();
    api = await createTestApp({ mode: 'api', backends, env: llmEnv });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await api?.close();
    await servers?.close();
  });

  async function spawnWorker(): Promise<SpawnedApp> {
    const port = await freePort();
    const worker = spawnApp(['--mode=worker'], {
      ENVIRONMENT: 'test',
      MONGO_URI: backends.mongoUri,
      MONGO_DB_NAME: backends.mongoDbName,
      REDIS_URL: backends.redisUrl,
      REDIS_GLOBAL_KEYPREFIX: backends.redisKeyPrefix,
      WORKER_HTTP_PORT: String(port),
      QUEUE_LOCK_DURATION_MS: '2000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      ...llmEnv,
    });
    await worker.waitForHttp(`http://127.0.0.1:${port}/health/live`);
    return worker;
  }

  it('completes a task exactly once after its worker is SIGKILLed mid-task', async () => {
    const hold = llm.holdNext(
      (r) => !isRouterRequest(r) && JSON.stringify(r.body).includes('survive a crash'),
    );
    const first = await spawnWorker();
    const res = await request(api.app.getHttpServer())
      .post('/v1/agent/execute')
      .send({ task: 'Write a Python function that will survive a crash' })
      .expect(200);
    const taskId = res.body.task_id as string;
    await hold.reached;
    first.kill('SIGKILL');
    await first.exited;

    const second = await spawnWorker();
    try {
      hold.release(); // the first worker's connection is gone; this reply goes nowhere
      const task = await waitForStatus(api, taskId);
      expect(task.status).toBe('completed');
      expect(
        await db.collection('messages').countDocuments({ task_id: taskId, role: 'assistant' }),
      ).toBe(1);
      const runIds = (await db.collection('agent_runs').find({ task_id: taskId }).toArray()).map(
        (r) => r.run_id as string,
      );
      expect(runIds.sort()).toEqual([`${taskId}:CodeAgent`, `${taskId}:router`].sort());
      // The business log is written just after the status changes.
      const completedLogs = () =>
        db
          .collection('logs')
          .countDocuments({ 'context.task_id': taskId, message: 'task completed' });
      await waitFor(async () => (await completedLogs()) > 0, 'the completion log');
      expect(await completedLogs()).toBe(1);
    } finally {
      second.kill('SIGTERM');
      await second.exited;
    }
  });

  it('re-enqueues a queued task whose queue keys were deleted, and it completes', async () => {
    const res = await request(api.app.getHttpServer())
      .post('/v1/agent/execute')
      .send({ task: 'Write a blog post about lost jobs' })
      .expect(200);
    const taskId = res.body.task_id as string;
    const raw = new Redis(backends.redisUrl);
    const keys = await raw.keys(`${queueHashTag(backends.redisKeyPrefix)}:agent_tasks:*`);
    expect(keys.length).toBeGreaterThan(0);
    await raw.del(...keys);
    await raw.quit();

    const worker = await createTestApp({
      mode: 'worker',
      backends,
      keepDatabase: true,
      env: { ...llmEnv, RECONCILE_INTERVAL_MS: '1000', RECONCILE_QUEUED_AFTER_MS: '0' },
    });
    try {
      const task = await waitForStatus(api, taskId);
      expect(task.status).toBe('completed');
      const logs = await db.collection('logs').find({ 'context.task_id': taskId }).toArray();
      expect(logs.map((l) => l.message)).toContain('task re-enqueued: its job was lost');
    } finally {
      await worker.close();
    }
  });
});
