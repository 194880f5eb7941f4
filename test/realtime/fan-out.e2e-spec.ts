import { get, type IncomingMessage } from 'node:http';
import {
  createTestApp,
  type ServiceProcess,
  startRedisServer,
  type TestApp,
  waitFor,
} from '@agent-orchestrator/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import { TaskStreamFollower } from '../../src/events/task-stream-follower';
import { ApiMetrics } from '../../src/metrics/api-metrics';

interface Subscriber {
  res: IncomingMessage;
  text: string;
}

/** Many SSE clients on one API process, against a Redis of this test's own, so client counts are exact. */
describe('SSE fan-out', () => {
  let redis: ServiceProcess;
  let redisUrl: string;
  let t: TestApp;
  let probe: Redis;

  beforeAll(async () => {
    ({ process: redis, url: redisUrl } = await startRedisServer());
    t = await createTestApp({
      mode: 'api',
      listen: true,
      // 700 streams of one (anonymous) caller: above the default per-key cap on purpose.
      env: {
        REDIS_URL: redisUrl,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        SSE_MAX_STREAMS_PER_KEY: '1000',
      },
    });
    probe = new Redis(redisUrl);
  });
  afterAll(async () => {
    probe?.disconnect();
    await t.close();
    await redis.stop();
  }, 60_000);

  const clients = async (): Promise<number> =>
    ((await probe.client('LIST')) as string).trim().split('\n').length;
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

  it('serves 500 subscribers on one task and 200 tasks with one each on the same Redis connections, and releases them all', async () => {
    const follower = t.app.get(TaskStreamFollower);
    const gauge = t.app.get(ApiMetrics).sseConnections;
    const baseline = (await gauge.get()).values[0]?.value ?? 0;

    const hot = await submit();
    const first = await subscribe(hot);
    await waitFor(() => first.text.includes('"status":"queued"'), 'the first subscriber');
    const withOne = await clients();

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
    expect(await clients()).toBe(withOne);

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
    expect(await clients()).toBe(withOne);
  }, 180_000); // a hang guard for 700 streams on a loaded 2-core machine, not a timing claim
});
