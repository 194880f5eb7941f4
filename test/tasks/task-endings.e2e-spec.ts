import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  type LlmServers,
  startLlmServers,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AppProcesses, type AppProcess } from '../../libs/testing/src/reliability';
import { taskStreamKey } from '../../src/events/task-event-stream';
import { RedisConnections } from '../../src/redis/redis-connections';
import { TaskQueueProducer } from '../../src/tasks/task-queue.producer';
import { processBackends } from '../reliability/chaos-fixture';
import { PrometheusText } from '../observability/prometheus-text';
import { listen, type ReceivedEvent } from '../realtime/sse-client';

const WEBHOOK_ENV = {
  WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtZm9yLWVuZGluZ3MtdGVzdA==',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_BACKOFF_MS: '20',
};

/** Short locks, so a killed worker's job is found stalled within a few seconds. */
const WORKER_ENV = {
  ...WEBHOOK_ENV,
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  QUEUE_MAX_STALLED_COUNT: '1',
  LLM_MAX_RETRIES: '0',
};

/** A webhook receiver on loopback that records the task id of every delivery. */
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

/** `tasks_total{status}` summed over agents, as a process's /metrics shows it. */
async function tasksTotal(process: AppProcess, status: string): Promise<number> {
  const text = await (await fetch(`${process.base}/metrics`)).text();
  return new PrometheusText(text).value('agent_orchestrator_tasks_total', { status });
}

/**
 * Two ways a task ends that no runner sees: BullMQ fails a job that stalled too often, and the
 * reconciler gives up on a task whose worker kept dying. Each must end like any other task: one
 * final event, one webhook, one count in `tasks_total`, and its SSE stream closed by that event.
 */
describe('task endings outside the runner', () => {
  let servers: LlmServers;
  let api: TestApp;
  let db: Connection;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    servers = await startLlmServers();
    receiver = await startReceiver();
    api = await createTestApp({
      mode: 'api',
      listen: true,
      backends: testBackends(),
      env: { ...servers.env, ...WEBHOOK_ENV },
    });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    receiver?.close();
    await api?.close();
    await servers?.close();
  });

  const submit = async (task: string): Promise<string> =>
    (
      await request(api.app.getHttpServer())
        .post('/v1/agent/execute')
        .send({ task, webhook_url: receiver.url })
        .expect(200)
    ).body.task_id as string;

  const storedFinalEvents = async (taskId: string): Promise<number> => {
    const entries = (await api.app
      .get(RedisConnections)
      .commands.xrange(taskStreamKey(taskId), '-', '+')) as [string, string[]][];
    return entries.filter(([, fields]) => /"status":"(completed|failed|cancelled)"/.test(fields[1]))
      .length;
  };
  const businessLogs = (taskId: string, message: string) =>
    db.collection('logs').countDocuments({ 'context.task_id': taskId, message });

  /** The last event a client saw is the stream's own final event, not the 10 s safety net's. */
  function expectClosedByFinalEvent(events: ReceivedEvent[], status: string): void {
    const last = events[events.length - 1];
    expect(last.data).toMatchObject({ status });
    expect(last.id).not.toBe('0-0');
  }

  /** Runs the task's job once more, as a duplicated delivery would, and waits for it to end. */
  async function runJobAgain(taskId: string): Promise<void> {
    const producer = api.app.get(TaskQueueProducer);
    await producer.requeue(taskId);
    await waitFor(
      async () => (await producer.state(taskId)) === 'completed',
      'the second run of the job to end',
      30_000,
    );
  }

  it('fails a job that stalled past QUEUE_MAX_STALLED_COUNT with one final event, one webhook, one tasks_total and its stream closed', async () => {
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
      RECONCILE_INTERVAL_MS: '600000',
    });
    const text = 'Write a Python function whose workers keep dying';
    const holds = [1, 2].map(() =>
      servers.llm.holdNext((r) => JSON.stringify(r.body).includes(text)),
    );
    let client: ReturnType<typeof listen> | undefined;
    try {
      const first = await processes.start('worker');
      const taskId = await submit(text);
      client = listen(`${api.url}/v1/tasks/${taskId}/events`);
      await holds[0].reached;
      first.kill('SIGKILL');
      await first.exited;

      // The next worker recovers the stalled job (its first stall) and dies holding it too.
      const second = await processes.start('worker');
      await holds[1].reached;
      second.kill('SIGKILL');
      await second.exited;

      // The third finds it stalled a second time, past the limit of one: BullMQ fails the job.
      const third = await processes.start('worker');
      await waitFor(
        async () =>
          (await db.collection('tasks').findOne({ task_id: taskId }))?.status === 'failed',
        'the task to fail',
        30_000,
      );
      await client.finished;
      await waitFor(() => receiver.received.includes(taskId), 'the webhook', 30_000);
      await runJobAgain(taskId);

      expect(await storedFinalEvents(taskId)).toBe(1);
      expectClosedByFinalEvent(client.events, 'failed');
      expect(receiver.received.filter((id) => id === taskId)).toEqual([taskId]);
      expect(await tasksTotal(third, 'failed')).toBe(1);
      expect(await businessLogs(taskId, 'task failed')).toBe(1);
      const task = await db.collection('tasks').findOne({ task_id: taskId });
      expect(task?.error).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
    } finally {
      client?.source.close();
      holds.forEach((h) => h.release());
      await processes.killAll();
    }
  }, 120_000);

  it('fails a task the reconciler gives up on with one final event, one webhook, one tasks_total and its stream closed', async () => {
    const taskId = await submit('Write a Python function whose worker was lost five times');
    const client = listen(`${api.url}/v1/tasks/${taskId}/events`);
    // What five lost workers leave behind: the task processing, requeued five times, no job.
    const producer = api.app.get(TaskQueueProducer);
    expect(await producer.removeIdle(taskId)).toBe(true);
    await db
      .collection('tasks')
      .updateOne(
        { task_id: taskId },
        { $set: { status: 'processing', requeues: 5, attempts: 1, updated_at: new Date(0) } },
      );

    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
      RECONCILE_INTERVAL_MS: '1000',
    });
    try {
      const worker = await processes.start('worker');
      await waitFor(
        async () =>
          (await db.collection('tasks').findOne({ task_id: taskId }))?.status === 'failed',
        'the reconciler to give up',
        30_000,
      );
      await client.finished;
      await waitFor(() => receiver.received.includes(taskId), 'the webhook', 30_000);
      await runJobAgain(taskId);

      expect(await storedFinalEvents(taskId)).toBe(1);
      expectClosedByFinalEvent(client.events, 'failed');
      expect(receiver.received.filter((id) => id === taskId)).toEqual([taskId]);
      expect(await tasksTotal(worker, 'failed')).toBe(1);
      expect(await businessLogs(taskId, 'task failed')).toBe(1);
      const task = await db.collection('tasks').findOne({ task_id: taskId });
      expect(task?.error).toMatchObject({
        code: 'INTERNAL_ERROR',
        message: 'The task lost its worker 5 times.',
      });
    } finally {
      client.source.close();
      await processes.killAll();
    }
  }, 120_000);
});
