import {
  createTestApp,
  keysMatching,
  startOwnRedis,
  type TestApp,
  testRedisClient,
  waitFor,
} from '@agent-orchestrator/testing';
import request from 'supertest';
import { apiKeyId } from '../../src/auth/api-key-id';
import { PrometheusText } from './prometheus-text';

const LIMIT_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
const REFUSED = {
  error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests. Please try again later.' },
};

async function rateLimited(t: TestApp, reason: string): Promise<number> {
  const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
  return new PrometheusText(res.text).value('agent_orchestrator_rate_limited_total', { reason });
}

describe('rate limits shared by two API instances through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const env = {
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_PER_MINUTE: '3',
    API_KEYS: 'key-a,key-b,key-c',
    RATE_LIMITS_JSON: JSON.stringify({ [apiKeyId('key-c')]: 5 }),
  };

  beforeAll(async () => {
    a = await createTestApp({ mode: 'api', env });
    b = await createTestApp({ mode: 'api', env, backends: a.backends, keepDatabase: true });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const get = (t: TestApp, key: string) =>
    request(t.app.getHttpServer()).get('/v1/tasks').set('X-API-Key', key);

  it('answers 429 with Retry-After once a key made N requests, wherever they landed', async () => {
    // Each process counts the requests it refused.
    const refusedBefore = (await rateLimited(a, 'exceeded')) + (await rateLimited(b, 'exceeded'));
    const remaining: string[] = [];
    for (const t of [a, b, a]) {
      const res = await get(t, 'key-a').expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(res.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);
      remaining.push(String(res.headers['x-ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await get(b, 'key-a').expect(429);
    expect(refused.body).toEqual(REFUSED);
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ratelimit-reset']).toBe(refused.headers['retry-after']);
    await get(a, 'key-a').expect(429);
    const refusedAfter = (await rateLimited(a, 'exceeded')) + (await rateLimited(b, 'exceeded'));
    expect(refusedAfter).toBe(refusedBefore + 2);

    // Another key has its own count; a per-key override changes the limit.
    await get(a, 'key-b').expect(200);
    const c = await get(b, 'key-c').expect(200);
    expect(c.headers['x-ratelimit-limit']).toBe('5');
  });

  it('limits callers with a wrong key by their IP, before authentication', async () => {
    for (const t of [a, b, a]) {
      const res = await get(t, 'not-a-key').expect(401);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
    }
    expect((await get(b, 'not-a-key').expect(429)).body).toEqual(REFUSED);
  });

  it('keeps its counters in the shared Redis under REDIS_GLOBAL_KEYPREFIX', async () => {
    const redis = testRedisClient(a.backends);
    try {
      const keys = await keysMatching(redis, `${a.backends.redisKeyPrefix}*ratelimit*`);
      expect(keys).toContain(
        `${a.backends.redisKeyPrefix}{ratelimit:key:${apiKeyId('key-a')}:default}:hits`,
      );
      expect(await keysMatching(redis, '{ratelimit:*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('never limits health, metrics, docs and the SSE stream', async () => {
    for (const path of ['/health', '/health/live', '/metrics', '/docs-json']) {
      for (let i = 0; i < 5; i++) {
        const res = await request(a.app.getHttpServer())
          .get(path)
          .set('X-API-Key', 'key-a')
          .expect(200);
        for (const header of LIMIT_HEADERS) expect(res.headers[header]).toBeUndefined();
      }
    }
    // key-a is over its limit, yet its event stream is not refused (here: no such task).
    const stream = await request(a.app.getHttpServer())
      .get('/v1/tasks/0b0f6d8e-7d43-4d55-9d43-1f0c2f6a7e11/events')
      .set('X-API-Key', 'key-a');
    expect(stream.status).toBe(404);
    for (const header of LIMIT_HEADERS) expect(stream.headers[header]).toBeUndefined();
  });
});

describe('rate limits by client IP, where no API key is sent', () => {
  const env = { RATE_LIMIT_PER_MINUTE: '2', API_KEYS: '' };

  it('takes the client IP from X-Forwarded-For only with TRUST_PROXY=true', async () => {
    const t = await createTestApp({
      mode: 'api',
      env: { ...env, RATE_LIMIT_ENABLED: 'true', TRUST_PROXY: 'true' },
    });
    try {
      const from = (ip: string) =>
        request(t.app.getHttpServer()).get('/v1/tasks').set('X-Forwarded-For', ip);
      await from('203.0.113.1').expect(200);
      await from('203.0.113.1').expect(200);
      expect((await from('203.0.113.1').expect(429)).body).toEqual(REFUSED);
      await from('203.0.113.2').expect(200);
    } finally {
      await t.close();
    }
  });

  it('is enforced by default outside local and test, where X-Forwarded-For is ignored', async () => {
    const t = await createTestApp({ mode: 'api', env: { ...env, ENVIRONMENT: 'dev' } });
    try {
      const from = (ip: string) =>
        request(t.app.getHttpServer()).get('/v1/tasks').set('X-Forwarded-For', ip);
      await from('203.0.113.1').expect(200);
      await from('203.0.113.2').expect(200);
      await from('203.0.113.3').expect(429);
    } finally {
      await t.close();
    }
  });

  it('with ENVIRONMENT=test, counts and logs a caller over the limit once but never answers 429', async () => {
    const t = await createTestApp({
      mode: 'api',
      env: { RATE_LIMIT_PER_MINUTE: '3', API_KEYS: 'key-a,key-b' },
    });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await request(t.app.getHttpServer())
          .get('/v1/tasks')
          .set('X-API-Key', 'key-b')
          .expect(200);
        for (const header of LIMIT_HEADERS) expect(res.headers[header]).toBeDefined();
        expect(res.headers['retry-after']).toBeUndefined();
        remaining.push(String(res.headers['x-ratelimit-remaining']));
      }
      expect(remaining).toEqual(['2', '1', '0', '0', '0', '0']);
      const logged = t.logs.lines.filter((l) => l.context === 'RateLimit' && l.level === 'warn');
      expect(logged).toHaveLength(1);
      expect(String(logged[0].msg)).toContain('not enforced');
      expect(logged[0].caller).toBe(`key:${apiKeyId('key-b')}`);
      expect(await rateLimited(t, 'logged')).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('is off entirely with RATE_LIMIT_ENABLED=false', async () => {
    const t = await createTestApp({
      mode: 'api',
      env: { ...env, ENVIRONMENT: 'dev', RATE_LIMIT_ENABLED: 'false' },
    });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await request(t.app.getHttpServer()).get('/v1/tasks').expect(200);
        for (const header of LIMIT_HEADERS) expect(res.headers[header]).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});

describe('rate limits when Redis is away', () => {
  it('fails open: lets requests through, logs a warning and counts them', async () => {
    const redis = await startOwnRedis();
    const t = await createTestApp({
      mode: 'api',
      backends: redis.backends,
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_MINUTE: '2' },
    });
    try {
      const http = () => request(t.app.getHttpServer());
      const first = await http().get('/v1/tasks').expect(200);
      expect(first.headers['x-ratelimit-remaining']).toBe('1');
      const before = await rateLimited(t, 'fail_open');

      await redis.stop();
      for (let i = 0; i < 4; i++) {
        const res = await http().get('/v1/tasks').expect(200);
        expect(res.headers['x-ratelimit-remaining']).toBeUndefined();
      }
      expect(await rateLimited(t, 'fail_open')).toBe(before + 4);
      const warnings = t.logs.lines.filter((l) => l.context === 'RateLimit' && l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0].msg)).toContain('fail open');

      // Back again, the limiter counts again.
      await redis.start();
      await waitFor(async () => {
        const res = await http().get('/v1/tasks');
        return res.headers['x-ratelimit-remaining'] !== undefined;
      }, 'the limiter to use Redis again');
    } finally {
      await redis.start();
      await t.close();
      await redis.close();
    }
  });
});
