import {
  type LlmServers,
  RedisCluster,
  startLlmServers,
  testBackends,
  type TestBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import mongoose, { type Connection } from 'mongoose';
import {
  type AppProcess,
  AppProcesses,
  settledAudit,
  waitUntilFinished,
} from '../../libs/testing/src/reliability';
import { queueHashTag } from '../../src/redis/redis-keys';
import { listen } from '../realtime/sse-client';
import { processBackends, sleep } from '../reliability/chaos-fixture';

const TASKS = 200;
/** After the replica took over, this many submissions in a row must be accepted. */
const RECOVERED_AFTER = 20;

/** Short locks and a quick reconciler, so jobs whose state died with the master come back soon. */
const WORKER_ENV = {
  WORKER_CONCURRENCY: '8',
  QUEUE_LOCK_DURATION_MS: '3000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  QUEUE_MAX_STALLED_COUNT: '100',
  QUEUE_RETRY_BACKOFF_MS: '200',
  RECONCILE_INTERVAL_MS: '2000',
  RECONCILE_QUEUED_AFTER_MS: '10000',
};

interface Submission {
  at: number;
  status: number;
  code?: string;
  taskId?: string;
}

async function submit(api: AppProcess, task: string): Promise<Submission> {
  const at = Date.now();
  try {
    const res = await fetch(`${api.base}/v1/agent/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task }),
    });
    const body = (await res.json()) as { task_id?: string; error?: { code?: string } };
    return { at, status: res.status, code: body.error?.code, taskId: body.task_id };
  } catch (err) {
    return { at, status: 0, code: (err as Error).message };
  }
}

/**
 * Two api processes and three workers on a cluster of their own, 200 tasks running, and the
 * master holding the queue's slot SIGKILLed: its replica takes over (cluster-node-timeout 1 s),
 * and the service rides through. Submissions keep coming the whole time, to both apis.
 */
describe('the master holding the queue dies while 200 tasks run', () => {
  let cluster: RedisCluster;
  let backends: TestBackends;
  let servers: LlmServers;
  let db: Connection;
  let processes: AppProcesses;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ nodeTimeoutMs: 1000 });
    backends = {
      ...testBackends(),
      redisUrl: `redis://${cluster.seeds[0]}`,
      redisClusterNodes: cluster.seeds,
    };
    servers = await startLlmServers({ latencyMs: 150 });
    db = await mongoose
      .createConnection(backends.mongoUri, { dbName: backends.mongoDbName })
      .asPromise();
    processes = new AppProcesses(processBackends(backends), {
      ...servers.env,
      ...WORKER_ENV,
      SSE_HEARTBEAT_MS: '1000',
    });
  }, 60_000);
  afterAll(async () => {
    await processes?.killAll();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await servers?.close();
    await cluster?.stop();
  }, 60_000);

  it('brings every accepted task to one end, closes every stream with its final event, and refuses with 503 only during the failover', async () => {
    const apis = await Promise.all([processes.start('api'), processes.start('api')]);
    await Promise.all([0, 1, 2].map(() => processes.start('worker')));

    const submissions: Submission[] = [];
    const streams = new Map<string, ReturnType<typeof listen>>();
    const record = (sent: Submission, acceptedBy: number): void => {
      submissions.push(sent);
      if (sent.taskId) {
        // Each task's events are read from the api that did not accept it.
        streams.set(
          sent.taskId,
          listen(`${apis[1 - acceptedBy].base}/v1/tasks/${sent.taskId}/events`),
        );
      }
    };
    for (let i = 0; i < TASKS; i++) {
      record(await submit(apis[i % 2], `Write a blog post about failover, part ${i}`), i % 2);
    }
    expect(submissions.every((s) => s.status === 200)).toBe(true);
    await waitFor(
      async () => (await db.collection('tasks').countDocuments({ status: 'completed' })) >= 10,
      'tasks to be flowing',
      60_000,
    );

    // Keep submitting to both apis through the failover, one request at a time per api.
    let probing = true;
    let probes = 0;
    const probe = async (index: number): Promise<void> => {
      while (probing) {
        record(await submit(apis[index], `Write a blog post about a probe, ${probes++}`), index);
        await sleep(50);
      }
    };
    const probers = [probe(0), probe(1)];
    await sleep(500);

    const queueKey = `${queueHashTag(backends.redisKeyPrefix)}:agent_tasks:meta`;
    const before = await cluster.shardOf(queueKey);
    const killedAt = Date.now();
    await cluster.kill(before.master);
    const after = await waitFor(
      async () => {
        const shard = await cluster.shardOf(queueKey);
        return shard.master.port !== before.master.port ? shard : undefined;
      },
      'the replica to take over the queue slot',
      60_000,
    );
    const promotedAt = Date.now();
    expect(after.master.port).toBe(before.replicas[0].port);

    // Recovered: RECOVERED_AFTER accepted submissions in a row, after the promotion.
    await waitFor(
      () => {
        const late = submissions.filter((s) => s.at >= promotedAt);
        return (
          late.length >= RECOVERED_AFTER &&
          late.slice(-RECOVERED_AFTER).every((s) => s.status === 200)
        );
      },
      'the apis to accept tasks again',
      60_000,
    );
    const recoveredAt = Date.now();
    probing = false;
    await Promise.all(probers);

    // Refusals are 503 QUEUE_UNAVAILABLE, and only between the kill and the recovery.
    const refused = submissions.filter((s) => s.status !== 200);
    expect(refused.filter((s) => s.status !== 503 || s.code !== 'QUEUE_UNAVAILABLE')).toEqual([]);
    const lastRefusal = Math.max(0, ...refused.map((s) => s.at));
    expect(refused.every((s) => s.at >= killedAt - 3000)).toBe(true);
    const settled = submissions.filter((s) => s.at > lastRefusal);
    expect(settled.length).toBeGreaterThanOrEqual(RECOVERED_AFTER);
    expect(settled.every((s) => s.status === 200)).toBe(true);

    // Every accepted task ends exactly once.
    const accepted = submissions.flatMap((s) => (s.taskId ? [s.taskId] : []));
    await waitUntilFinished(db, accepted, 300_000);
    const audit = await settledAudit(db, accepted, 30_000);
    expect(audit.problems).toEqual([]);
    expect(audit.byStatus).toEqual({ completed: accepted.length });

    // No subscriber missed its final event.
    await Promise.all([...streams.values()].map((s) => s.finished));
    const withoutFinal = [...streams.entries()].filter(([, s]) => {
      const last = s.events[s.events.length - 1];
      return last?.type !== 'message' || last.data.status !== 'completed';
    });
    expect(withoutFinal.map(([id]) => id)).toEqual([]);

    const reenqueued = await db
      .collection('logs')
      .countDocuments({ 'context.task_id': { $in: accepted }, message: /re-?enqueued|requeued/i });
    const window = refused.length
      ? `${Math.min(...refused.map((s) => s.at)) - killedAt}..${lastRefusal - killedAt} ms after the kill`
      : 'none';
    process.stdout.write(
      `[cluster] failover: replica promoted ${promotedAt - killedAt} ms after the kill, ` +
        `submissions accepted again by ${recoveredAt - killedAt} ms; 503 window ${window}; ` +
        `${accepted.length} accepted (${TASKS} + ${accepted.length - TASKS} during the failover), ` +
        `${refused.length} refused with 503, ${audit.byStatus.completed ?? 0} completed once each, ` +
        `${streams.size} SSE streams all closed with their final event, ${reenqueued} re-enqueue logs\n`,
    );
  }, 600_000);
});
