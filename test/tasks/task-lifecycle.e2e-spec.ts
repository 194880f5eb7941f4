import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  isRouterRequest,
  type LlmServers,
  startLlmServers,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { taskStreamKey } from '../../src/events/task-event-stream';
import { RedisConnections } from '../../src/redis/redis-connections';
import { TaskLifecycle } from '../../src/tasks/task-lifecycle';
import { TaskQueueProducer } from '../../src/tasks/task-queue.producer';
import { PrometheusText } from '../observability/prometheus-text';
import { FAST_RETRY_ENV, waitForStatus } from './pipeline-fixture';

const WEBHOOK_ENV = {
  WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtZm9yLWxpZmVjeWNsZS10ZXN0',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_BACKOFF_MS: '20',
};

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
 * Every way a task ends goes through TaskLifecycle, and each ending happens once: one final
 * status event, one business log, one webhook and one count in `tasks_total`, also when the
 * task's job runs a second time after the ending (a duplicated delivery, or a worker that died
 * after the final update). An api and a worker share the backends, as in a deployment; the
 * worker runs one job at a time so a task can be held queued behind another.
 */
describe('TaskLifecycle: each ending once', () => {
  let servers: LlmServers;
  let api: TestApp;
  let worker: TestApp;
  let db: Connection;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    servers = await startLlmServers();
    receiver = await startReceiver();
    const env = { ...servers.env, ...FAST_RETRY_ENV, ...WEBHOOK_ENV, WORKER_CONCURRENCY: '1' };
    const backends = testBackends();
    api = await createTestApp({ mode: 'api', backends, env, keepDatabase: true });
    worker = await createTestApp({ mode: 'worker', backends, env });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    receiver?.close();
    await api?.close();
    await worker?.close();
    await servers?.close();
  });

  const http = () => request(api.app.getHttpServer());
  const submit = async (task: string): Promise<string> =>
    (await http().post('/v1/agent/execute').send({ task, webhook_url: receiver.url }).expect(200))
      .body.task_id as string;

  /** Submits a task whose router call is held, so the one worker slot stays busy. */
  async function blocker(label: string) {
    const text = `Write a Python function that blocks the worker (${label})`;
    const hold = servers.llm.holdNext(
      (r) => isRouterRequest(r) && JSON.stringify(r.body).includes(text),
    );
    const taskId = await submit(text);
    await hold.reached;
    return { taskId, release: () => hold.release() };
  }

  /** `tasks_total{status}` over both processes: each counts the endings it announced. */
  const tasksTotal = async (status: string): Promise<number> => {
    let sum = 0;
    for (const t of [api, worker]) {
      const text = (await request(t.app.getHttpServer()).get('/metrics').expect(200)).text;
      sum += new PrometheusText(text).value('agent_orchestrator_tasks_total', { status });
    }
    return sum;
  };

  /** What one ending left behind: final events in the stream, outcome logs, webhooks. */
  async function endingsOf(taskId: string, message: string) {
    const entries = (await api.app
      .get(RedisConnections)
      .commands.xrange(taskStreamKey(taskId), '-', '+')) as [string, string[]][];
    return {
      finalEvents: entries.filter(([, f]) => /"status":"(completed|failed|cancelled)"/.test(f[1]))
        .length,
      logs: await db.collection('logs').countDocuments({ 'context.task_id': taskId, message }),
      webhooks: receiver.received.filter((id) => id === taskId).length,
    };
  }

  /** Runs the task's job once more and waits until that run is over. */
  async function runJobAgain(taskId: string): Promise<void> {
    const producer = api.app.get(TaskQueueProducer);
    await producer.requeue(taskId);
    await waitFor(
      async () => (await producer.state(taskId)) === 'completed',
      'the second run of the job to end',
      30_000,
    );
  }

  const webhookOf = (taskId: string) =>
    waitFor(() => receiver.received.includes(taskId), `the webhook of ${taskId}`, 30_000);

  it('completes a task once, even when its job runs again', async () => {
    const before = await tasksTotal('completed');
    const taskId = await submit('Write a Python function that adds two numbers (once)');
    await waitForStatus(api, taskId, ['completed']);
    await webhookOf(taskId);
    await runJobAgain(taskId);
    expect(await endingsOf(taskId, 'task completed')).toEqual({
      finalEvents: 1,
      logs: 1,
      webhooks: 1,
    });
    expect((await tasksTotal('completed')) - before).toBe(1);
  });

  it('fails a task once on a permanent error, even when its job runs again', async () => {
    const text = 'Write a Python function the provider refuses (once)';
    servers.llm.when((r) => isRouterRequest(r) && JSON.stringify(r.body).includes(text), {
      fault: { type: 'bad_request' },
    });
    const before = await tasksTotal('failed');
    const taskId = await submit(text);
    const failed = await waitForStatus(api, taskId, ['failed']);
    expect(failed.error?.code).toBe('LLM_REQUEST_REJECTED');
    await webhookOf(taskId);
    await runJobAgain(taskId);
    expect(await endingsOf(taskId, 'task failed')).toEqual({
      finalEvents: 1,
      logs: 1,
      webhooks: 1,
    });
    expect((await tasksTotal('failed')) - before).toBe(1);
  });

  it('cancels a running task once, even when its job runs again', async () => {
    const text = 'Write a Python function that is cancelled mid-call (once)';
    const hold = servers.llm.holdNext(
      (r) => !isRouterRequest(r) && JSON.stringify(r.body).includes(text),
    );
    const before = await tasksTotal('cancelled');
    const taskId = await submit(text);
    await hold.reached;
    const res = await http().post(`/v1/tasks/${taskId}/cancel`).expect(202);
    expect(res.body.status).toBe('processing');
    await waitForStatus(api, taskId, ['cancelled']);
    hold.release();
    await webhookOf(taskId);
    await runJobAgain(taskId);
    expect(await endingsOf(taskId, 'task cancelled')).toEqual({
      finalEvents: 1,
      logs: 1,
      webhooks: 1,
    });
    expect((await tasksTotal('cancelled')) - before).toBe(1);
  });

  it('cancels a queued task once, even when its job runs again', async () => {
    const busy = await blocker('queued cancel');
    try {
      const before = await tasksTotal('cancelled');
      const taskId = await submit('Write a Python function that waits its turn (cancelled)');
      const res = await http().post(`/v1/tasks/${taskId}/cancel`).expect(200);
      expect(res.body.status).toBe('cancelled');
      await webhookOf(taskId);
      busy.release();
      await runJobAgain(taskId);
      expect(await endingsOf(taskId, 'task cancelled')).toEqual({
        finalEvents: 1,
        logs: 1,
        webhooks: 1,
      });
      expect((await tasksTotal('cancelled')) - before).toBe(1);
    } finally {
      busy.release();
      await waitForStatus(api, busy.taskId);
    }
  });

  it('fails a queued task once when the accept path gives it up, even when that is tried twice', async () => {
    const busy = await blocker('accept compensation');
    try {
      const before = await tasksTotal('failed');
      const taskId = await submit('Write a Python function that was never enqueued');
      const lifecycle = api.app.get(TaskLifecycle);
      const failure = {
        error: { code: 'QUEUE_UNAVAILABLE', message: 'gone', retryable: true, attempts: 0 },
      };
      expect(await lifecycle.fail(taskId, ['queued'], failure)).not.toBeNull();
      expect(await lifecycle.fail(taskId, ['queued'], failure)).toBeNull();
      await webhookOf(taskId);
      busy.release();
      await runJobAgain(taskId);
      expect(await endingsOf(taskId, 'task failed')).toEqual({
        finalEvents: 1,
        logs: 1,
        webhooks: 1,
      });
      expect((await tasksTotal('failed')) - before).toBe(1);
    } finally {
      busy.release();
      await waitForStatus(api, busy.taskId);
    }
  });
});
