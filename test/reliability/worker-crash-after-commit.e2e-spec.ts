import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  isRouterRequest,
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
import { AppProcesses, settledAudit } from '../../libs/testing/src/reliability';
import { processBackends } from './chaos-fixture';

const WORKER_ENV = {
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  LLM_MAX_RETRIES: '0',
};

/**
 * The narrowest crash: a worker dies after it has marked its task completed and before it has
 * written the 'task completed' log. Freezing the test's own Redis (SIGSTOP) parks the worker in
 * exactly that gap (it is announcing the final status), so the kill lands there every time.
 */
describe('a worker killed between completing a task and logging it', () => {
  let servers: LlmServers;
  let redis: ServiceProcess;
  let api: TestApp;
  let db: Connection;

  beforeAll(async () => {
    servers = await startLlmServers();
    const owned = await startRedisServer();
    redis = owned.process;
    api = await createTestApp({
      mode: 'api',
      backends: { ...testBackends(), redisUrl: owned.url },
      env: { ...servers.env, REDIS_URL: owned.url },
    });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    if (redis?.pid) process.kill(redis.pid, 'SIGCONT');
    await api?.close();
    await redis?.stop();
    await servers?.close();
  });

  const completedLogs = (taskId: string) =>
    db.collection('logs').countDocuments({ 'context.task_id': taskId, message: 'task completed' });

  it("gets its 'task completed' log, once, from the job's next delivery", async () => {
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
    });
    const text = 'Write a Python function that is logged exactly once';
    const hold = servers.llm.holdNext((r) => !isRouterRequest(r) && r.lastUserText.includes(text));
    let frozen = false;
    try {
      const first = await processes.start('worker');
      const res = await request(api.app.getHttpServer())
        .post('/v1/agent/execute')
        .send({ task: text })
        .expect(200);
      const taskId = res.body.task_id as string;
      await hold.reached;

      process.kill(redis.pid!, 'SIGSTOP');
      frozen = true;
      hold.release();
      // The task is completed in MongoDB; announcing it needs Redis, so the log is not written.
      await waitFor(
        async () =>
          (await db.collection('tasks').findOne({ task_id: taskId }))?.status === 'completed',
        'the task to be completed',
      );
      expect(await completedLogs(taskId)).toBe(0);
      first.kill('SIGKILL');
      await first.exited;
      process.kill(redis.pid!, 'SIGCONT');
      frozen = false;

      await processes.start('worker');
      await waitFor(
        async () => (await completedLogs(taskId)) > 0,
        "the 'task completed' log",
        30_000,
      );
      const audit = await settledAudit(db, [taskId]);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: 1 });
    } finally {
      if (frozen) process.kill(redis.pid!, 'SIGCONT');
      hold.release();
      await processes.killAll();
    }
  }, 120_000);
});
