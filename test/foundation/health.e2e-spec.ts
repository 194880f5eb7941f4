import {
  createTestApp,
  startRedisServer,
  type ServiceProcess,
  type TestApp,
} from '@agent-orchestrator/testing';
import request from 'supertest';

describe('/health against a test-owned Redis', () => {
  let t: TestApp;
  let redis: ServiceProcess;

  beforeAll(async () => {
    const owned = await startRedisServer();
    redis = owned.process;
    t = await createTestApp({
      mode: 'api',
      env: { REDIS_URL: owned.url, HEALTH_CHECK_TIMEOUT_MS: '500' },
    });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  const server = () => t.app.getHttpServer();

  it('answers plain text "ok | mongo=up | redis=up | env=test" when both are up', async () => {
    const res = await request(server()).get('/health').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('ok | mongo=up | redis=up | env=test');
  });

  it('answers /health/live without checking dependencies and /health/ready as terminus JSON', async () => {
    await request(server()).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(server()).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { mongo: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('answers 503 "degraded ... redis=down" within 2 s when Redis stops, and recovers after it restarts', async () => {
    await redis.stop();
    const down = await request(server()).get('/health').timeout(2000).expect(503);
    expect(down.text).toBe('degraded | mongo=up | redis=down | env=test');
    await request(server()).get('/health/ready').timeout(2000).expect(503);
    await request(server()).get('/health/live').expect(200);

    await redis.start();
    let text = '';
    for (let i = 0; i < 100 && text !== 'ok | mongo=up | redis=up | env=test'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = (await request(server()).get('/health')).text;
    }
    expect(text).toBe('ok | mongo=up | redis=up | env=test');
  });
});
