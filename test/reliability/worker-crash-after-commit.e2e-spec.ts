import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { RedisConnections } from '../../src/redis/redis-connections';
import { processBackends } from './chaos-fixture';
import { taskStreamKey } from '../../src/events/task-event-stream';

const WEBHOOK_ENV = {
  WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtZm9yLWNyYXNoLXRlc3Q=',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_BACKOFF_MS: '20',
};

const WORKER_ENV = {
  ...WEBHOOK_ENV,
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  LLM_MAX_RETRIES: '0',
};

/** A webhook receiver on loopback that counts deliveries per task. */
async function startReceiver(): Promise<{ url: string; received: string[]; close(): void }> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push((JSON.parse(body) as { data?: { task_id?: string } }).data?.task_id ?? '');
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.close() };
}

/**
 * The narrowest crash: a worker dies after it has marked its task completed and before it has
 * announced it (the final status event, which schedules the webhook). Freezing the test's own
 * Redis (SIGSTOP) parks the worker in exactly that gap, so the kill lands there every time.
 */
describe('a worker killed between completing a task and announcing it', () => {
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
      env: { ...servers.env, ...WEBHOOK_ENV, REDIS_URL: owned.url },
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
  const finalEvents = async (taskId: string) => {
    const redisCommands = api.app.get(RedisConnections).commands;
    const entries = (await redisCommands.xrange(taskStreamKey(taskId), '-', '+')) as [
      string,
      string[],
    ][];
    return entries.filter(([, fields]) => fields[1]?.includes('"status":"completed"')).length;
  };

  it("publishes the final event, sends the webhook and writes the log, once each, from the job's next delivery", async () => {
    const receiver = await startReceiver();
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
        .send({ task: text, webhook_url: receiver.url })
        .expect(200);
      const taskId = res.body.task_id as string;
      await hold.reached;

      process.kill(redis.pid!, 'SIGSTOP');
      frozen = true;
      hold.release();
      // The task is completed in MongoDB; announcing it needs Redis, which does not answer.
      await waitFor(
        async () =>
          (await db.collection('tasks').findOne({ task_id: taskId }))?.status === 'completed',
        'the task to be completed',
      );
      first.kill('SIGKILL');
      await first.exited;
      process.kill(redis.pid!, 'SIGCONT');
      frozen = false;
      expect(await finalEvents(taskId)).toBe(0);
      expect(receiver.received).toEqual([]);

      await processes.start('worker');
      await waitFor(async () => (await finalEvents(taskId)) > 0, 'the final event', 30_000);
      await waitFor(() => receiver.received.length > 0, 'the webhook', 30_000);
      const audit = await settledAudit(db, [taskId]);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: 1 });
      await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
      expect(await finalEvents(taskId)).toBe(1);
      expect(receiver.received).toEqual([taskId]);
      expect(await completedLogs(taskId)).toBe(1);
    } finally {
      if (frozen) process.kill(redis.pid!, 'SIGCONT');
      hold.release();
      receiver.close();
      await processes.killAll();
    }
  }, 120_000);
});
