import { get, type IncomingMessage } from 'node:http';
import {
  createTestApp,
  type OwnRedis,
  startOwnRedis,
  type TestApp,
  waitFor,
} from '@agent-orchestrator/testing';
import request from 'supertest';
import { TaskStreamFollower } from '../../src/events/task-stream-follower';
import { READER_IDLE_CLOSE_MS } from '../../src/events/stream-group-follower';
import { ApiMetrics } from '../../src/metrics/api-metrics';
import { TASK_EVENT_GROUPS, taskEventGroup } from '../../src/redis/redis-keys';

interface Subscriber {
  res: IncomingMessage;
  text: string;
}

/**
 * Many SSE clients on one API process, against a Redis of this test's own (a node, or under
 * npm run test:cluster a cluster), so its connection counts are exact.
 */
describe('SSE fan-out', () => {
  let redis: OwnRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await createTestApp({
      mode: 'api',
      listen: true,
      backends: redis.backends,
      // 700 streams of one (anonymous) caller: above the default per-key cap on purpose.
      env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', SSE_MAX_STREAMS_PER_KEY: '1000' },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await redis?.close();
  }, 60_000);

  /** The api's blocking stream readers, as Redis lists them (CLIENT LIST, every node). */
  const readerConnections = () =>
    redis.clientCount((line) => /\bname=ao:events-reader:g\d+ /.test(line));
  /** Every connection but a cluster client's short-lived slot refreshers. */
  const connections = () => redis.clientCount((line) => !line.includes('(refresher)'));
  const submit = async (): Promise<string> =>
    (
      await request(t.app.getHttpServer())
        .post('/v1/agent/execute')
        .send({ task: 'fan out' })
        .expect(200)
    ).body.task_id;

  function subscribe(taskId: string): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const req = get(`${t.url}/v1/tasks/${taskId}/events`, { agent: false }, (res) => {
        const sub: Subscriber = { res, text: '' };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (sub.text += chunk));
        resolve(sub);
      });
      req.on('error', reject);
    });
  }

  it('serves 500 subscribers on one task and 200 tasks with one each with one Redis connection per tag group, and releases them all', async () => {
    const follower = t.app.get(TaskStreamFollower);
    const gauge = t.app.get(ApiMetrics).sseConnections;
    const baseline = (await gauge.get()).values[0]?.value ?? 0;

    const hot = await submit();
    const first = await subscribe(hot);
    await waitFor(() => first.text.includes('"status":"queued"'), 'the first subscriber');
    expect(follower.readers).toBe(1);
    expect(await readerConnections()).toBe(1);
    const withOne = await connections();

    const crowd = await Promise.all(Array.from({ length: 499 }, () => subscribe(hot)));
    const tasks = await Promise.all(Array.from({ length: 200 }, () => submit()));
    const singles = await Promise.all(tasks.map((id) => subscribe(id)));
    const everyone = [first, ...crowd, ...singles];
    await waitFor(
      () => everyone.every((s) => s.text.includes('"status":"queued"')),
      'all 700 replays',
      60_000,
    );
    expect(follower.size).toBe(700);
    // One blocking reader per group with followers (201 random tasks fill nearly every group).
    const groups = new Set([hot, ...tasks].map(taskEventGroup)).size;
    expect(groups).toBeGreaterThan(1);
    expect(groups).toBeLessThanOrEqual(TASK_EVENT_GROUPS);
    expect(follower.readers).toBe(groups);
    expect(await readerConnections()).toBe(groups);
    // Nothing else grew with the clients: on a cluster the command client may reach the other
    // masters' slots too (at most one connection each).
    const masters = redis.cluster ? (await redis.cluster.shards()).length : 1;
    expect(await connections()).toBeLessThanOrEqual(withOne + (groups - 1) + (masters - 1));

    // A live event reaches all 500 followers of the hot task, and their streams close.
    await request(t.app.getHttpServer()).post(`/v1/tasks/${hot}/cancel`).expect(200);
    await waitFor(
      () => [first, ...crowd].every((s) => s.res.complete),
      'the 500 streams to close',
      60_000,
    );
    expect([first, ...crowd].every((s) => s.text.includes('"status":"cancelled"'))).toBe(true);

    for (const s of singles) s.res.destroy();
    await waitFor(() => follower.size === 0, 'every follower to be released', 30_000);
    await waitFor(
      async () => ((await gauge.get()).values[0]?.value ?? 0) === baseline,
      'the gauge back at baseline',
    );
    // Groups left without followers give their connections back.
    await waitFor(
      async () => follower.readers === 0 && (await readerConnections()) === 0,
      'the idle readers to close',
      READER_IDLE_CLOSE_MS + 20_000,
    );
  }, 240_000); // a hang guard for 700 streams on a loaded 2-core machine, not a timing claim
});
