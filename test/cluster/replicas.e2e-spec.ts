import {
  isRouterRequest,
  type LlmServers,
  startLlmServers,
  testBackends,
  testRedisClient,
  waitFor,
} from '@agent-orchestrator/testing';
import mongoose, { type Connection } from 'mongoose';
import {
  type AppProcess,
  AppProcesses,
  settledAudit,
  waitUntilFinished,
} from '../../libs/testing/src/reliability';
import { taskStreamKey } from '../../src/events/task-event-stream';
import { listen } from '../realtime/sse-client';
import { processBackends } from '../reliability/chaos-fixture';
import { streamProblems, submitTask } from './replica-fixture';

const TASKS = 40;
const CANCEL_TEXT = 'Write a blog post about cancelling across replicas';

/**
 * The service as it is deployed at scale: two api processes and three workers, all on the run's
 * Redis Cluster (npm run test:cluster), sharing one MongoDB. Tasks go to both apis in turn; each
 * task's events are read from the api that did not accept it, and one running task is cancelled
 * through that other api, so the request has to cross processes through the cluster.
 */
describe('two api processes and three workers on a Redis Cluster', () => {
  const backends = testBackends();
  let servers: LlmServers;
  let db: Connection;
  let processes: AppProcesses;

  beforeAll(async () => {
    if (!backends.redisClusterNodes) throw new Error('Run this suite with npm run test:cluster.');
    servers = await startLlmServers({ latencyMs: 50 });
    db = await mongoose
      .createConnection(backends.mongoUri, { dbName: backends.mongoDbName })
      .asPromise();
    processes = new AppProcesses(processBackends(backends), {
      ...servers.env,
      WORKER_CONCURRENCY: '4',
    });
  }, 60_000);
  afterAll(async () => {
    await processes?.killAll();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await servers?.close();
  }, 60_000);

  it('completes every task exactly once, streams each completely and in order from the other api, and cancels across processes', async () => {
    const apis: AppProcess[] = await Promise.all([processes.start('api'), processes.start('api')]);
    await Promise.all([0, 1, 2].map(() => processes.start('worker')));

    const hold = servers.llm.holdNext(
      (r) => !isRouterRequest(r) && r.lastUserText.includes(CANCEL_TEXT),
    );
    const texts = [
      CANCEL_TEXT,
      ...Array.from({ length: TASKS - 1 }, (_, n) =>
        n % 2
          ? `Write a Python function that adds ${n} to a number`
          : `Write a blog post about tea, part ${n}`,
      ),
    ];
    const tasks: { id: string; acceptedBy: number; stream: ReturnType<typeof listen> }[] = [];
    for (const [i, text] of texts.entries()) {
      const acceptedBy = i % 2;
      const id = await submitTask(apis[acceptedBy].base, text);
      const stream = listen(`${apis[1 - acceptedBy].base}/v1/tasks/${id}/events`);
      tasks.push({ id, acceptedBy, stream });
    }

    // The held task is running on some worker; the api that did not accept it cancels it.
    await hold.reached;
    const cancelled = tasks[0];
    const res = await fetch(
      `${apis[1 - cancelled.acceptedBy].base}/v1/tasks/${cancelled.id}/cancel`,
      { method: 'POST' },
    );
    // 202: the task is running, so the worker holding it (in another process) ends it.
    expect(res.status).toBe(202);
    expect(((await res.json()) as { status: string }).status).toBe('processing');
    await waitFor(
      () =>
        servers.llm.requests.some(
          (r) => r.kind === 'chat' && JSON.stringify(r).includes(CANCEL_TEXT) && r.aborted,
        ),
      'the worker running the task to abort its LLM call',
      30_000,
    );
    hold.release();

    const ids = tasks.map((t) => t.id);
    await waitUntilFinished(db, ids, 180_000);
    const audit = await settledAudit(db, ids);
    expect(audit.problems).toEqual([]);
    expect(audit.byStatus).toEqual({ completed: TASKS - 1, cancelled: 1 });

    await Promise.all(tasks.map((t) => t.stream.finished));
    const redis = testRedisClient(backends, { keyPrefix: backends.redisKeyPrefix });
    try {
      const problems: string[] = [];
      for (const task of tasks) {
        const stored = (await redis.xrange(taskStreamKey(task.id), '-', '+')) as [
          string,
          string[],
        ][];
        const expected = task === cancelled ? 'cancelled' : 'completed';
        problems.push(...streamProblems(task.id, task.stream.events, stored, expected));
      }
      expect(problems).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 300_000);
});
