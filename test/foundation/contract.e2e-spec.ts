import { getConnectionToken } from '@nestjs/mongoose';
import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { sendBytes, sendRaw } from '../../libs/testing/src/reliability';

const KEY = 'contract-key-1';
const ADMIN_KEY = 'contract-admin-key';
const basic = (password: string): string =>
  `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

/**
 * The seed's contract where we used to break it, and the inputs that used to break us: each
 * test names the defect it guards against. The API alone (no worker), so tasks stay queued.
 */
describe('the seed contract and strict input', () => {
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    t = await createTestApp({
      mode: 'api',
      listen: true,
      env: {
        API_KEYS: KEY,
        ADMIN_API_KEYS: ADMIN_KEY,
        BULL_BOARD_ENABLED: 'true',
        MAX_TASK_CHARS: '10',
        CELERY_BROKER_URL: 'redis://celery-broker:6379/0',
      },
    });
    db = t.app.get<Connection>(getConnectionToken());
  });
  afterAll(() => t.close());

  const http = () => request(t.app.getHttpServer());
  const execute = (body: string | object) =>
    http()
      .post('/v1/agent/execute')
      .set('X-API-Key', KEY)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const stored = async () =>
    Object.fromEntries(
      await Promise.all(
        ['tasks', 'sessions', 'messages'].map(
          async (c) => [c, await db.collection(c).countDocuments()] as const,
        ),
      ),
    );
  const fields = (res: { body: { error: { details?: { field: string }[] } } }) =>
    (res.body.error.details ?? []).map((d) => d.field);

  describe('401 is the spec envelope, HTTP_ERROR, wherever a key is checked', () => {
    it('on REST routes', async () => {
      const missing = await http().get('/v1/tasks').expect(401);
      expect(missing.body).toEqual({ error: { code: 'HTTP_ERROR', message: 'Missing API key.' } });
      const wrong = await http().get('/v1/tasks').set('X-API-Key', 'nope').expect(401);
      expect(wrong.body).toEqual({ error: { code: 'HTTP_ERROR', message: 'Invalid API key.' } });
    });

    it('on the SSE stream, with the key in the query', async () => {
      const res = await http().get('/v1/tasks/abc/events?api_key=nope').expect(401);
      expect(res.body).toEqual({ error: { code: 'HTTP_ERROR', message: 'Invalid API key.' } });
    });

    it('on the queue dashboard', async () => {
      const missing = await http().get('/admin/queues/api/queues').expect(401);
      expect(missing.body).toEqual({ error: { code: 'HTTP_ERROR', message: 'Missing API key.' } });
      const wrong = await http()
        .get('/admin/queues/api/queues')
        .set('Authorization', basic('nope'))
        .expect(401);
      expect(wrong.body).toEqual({ error: { code: 'HTTP_ERROR', message: 'Invalid API key.' } });
    });
  });

  it('wraps a queue dashboard API error in the envelope, keeping its translation key', async () => {
    const res = await http()
      .put('/admin/queues/api/queues/no-such-queue/pause')
      .set('X-API-Key', ADMIN_KEY)
      .expect(404);
    expect(res.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'Queue not found.', key: 'ERRORS.QUEUE_NOT_FOUND' },
    });
  });

  it('warns once at start-up that CELERY_BROKER_URL is not used, and what to set instead', () => {
    const warnings = t.logs.lines.filter((l) => String(l.msg).startsWith('CELERY_BROKER_URL'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', context: 'Config' });
    expect(String(warnings[0].msg)).toContain('QUEUE_BROKER_URL');
    expect(t.logs.text()).not.toContain('celery-broker');
  });

  it('always shows last_task_id on a session, null before its first task ran', async () => {
    await execute({ task: 'hello', session_id: 'contract-session' }).expect(200);
    const res = await http().get('/v1/sessions/contract-session').set('X-API-Key', KEY).expect(200);
    expect(res.body).toHaveProperty('last_task_id', null);
  });

  describe('a wrong method on a known path', () => {
    it.each([
      ['PUT', '/v1/agent/execute', 'POST'],
      ['GET', '/v1/agent/execute', 'POST'],
      ['DELETE', '/v1/tasks/abc', 'GET, HEAD'],
      ['POST', '/v1/tasks', 'GET, HEAD'],
      ['GET', '/v1/tasks/abc/cancel', 'POST'],
    ])('answers %s %s with 405, Allow: %s and the envelope', async (method, path, allow) => {
      const res = await sendRaw(t.url!, { method, path, headers: { 'X-API-Key': KEY } });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(JSON.parse(res.text)).toEqual({
        error: { code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining(allow) },
      });
    });

    it('still answers 404 for a path no route has', async () => {
      const res = await http().delete('/v1/nothing').set('X-API-Key', KEY).expect(404);
      expect(res.headers.allow).toBeUndefined();
    });
  });

  describe('page numbers', () => {
    it.each([
      '/v1/tasks?page=1e308',
      '/v1/tasks?page=9e307&page_size=100',
      '/v1/sessions/contract-session?page=1.79e308',
      '/v1/tasks?page=1000001',
      '/v1/tasks?page=1.0',
      '/v1/tasks?page=%2B1',
      '/v1/tasks?page_size=1e2',
      '/v1/tasks?page=0x10',
    ])('refuses %s with 422 instead of a 500', async (path) => {
      const res = await http().get(path).set('X-API-Key', KEY).expect(422);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details[0].message).toMatch(/must be an integer from 1 to \d+/);
    });

    it('refuses a parameter given twice', async () => {
      const res = await http().get('/v1/tasks?page=1&page=2').set('X-API-Key', KEY).expect(422);
      expect(res.body.error.details).toEqual([
        { field: 'page', message: 'page must be given once' },
      ]);
    });

    it('accepts the last page of the documented range', async () => {
      const res = await http().get('/v1/tasks?page=1000000&page_size=100').set('X-API-Key', KEY);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });
  });

  describe('numbers JSON.parse reads as Infinity', () => {
    it.each(['1e999', '-1e999'])(
      'refuses metadata {"n":%s} with 422 and leaves no session or message behind',
      async (n) => {
        const before = await stored();
        const res = await execute(
          `{"task":"x","session_id":"inf-session","metadata":{"n":${n}}}`,
        ).expect(422);
        expect(res.body.error.details).toEqual([
          { field: 'metadata.n', message: expect.stringContaining('finite number') },
        ]);
        expect(await stored()).toEqual(before);
      },
    );

    it('refuses one anywhere in the body', async () => {
      const res = await execute('{"task":"x","agent":1e400}').expect(422);
      expect(fields(res)).toEqual(['agent']);
    });
  });

  describe('prototype keys', () => {
    it.each([
      ['a top-level __proto__', '{"task":"x","__proto__":{"admin":true}}', '__proto__'],
      ['a top-level constructor', '{"task":"x","constructor":{"prototype":{}}}', 'constructor'],
      ['__proto__ in metadata', '{"task":"x","metadata":{"__proto__":"y"}}', 'metadata.__proto__'],
      [
        'constructor in metadata',
        '{"task":"x","metadata":{"constructor":1}}',
        'metadata.constructor',
      ],
    ])('refuses %s in the body with 422 naming it', async (_name, body, field) => {
      const before = await stored();
      const res = await execute(body).expect(422);
      expect(fields(res)).toEqual([field]);
      expect(await stored()).toEqual(before);
    });

    it.each(['__proto__=x', '%5F%5Fproto%5F%5F=x', 'constructor=x', 'status=queued&prototype=1'])(
      'refuses the query ?%s with 422',
      async (query) => {
        const res = await http().get(`/v1/tasks?${query}`).set('X-API-Key', KEY).expect(422);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
      },
    );

    it('never replays an Idempotency-Key for a body that adds a constructor field', async () => {
      const first = await execute({ task: 'idem' }).set('Idempotency-Key', 'ctor-1').expect(200);
      const again = await execute('{"task":"idem","constructor":{"x":1}}')
        .set('Idempotency-Key', 'ctor-1')
        .expect(422);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(JSON.stringify(again.body)).not.toContain(first.body.task_id);
    });
  });

  describe('the task limit counts characters (code points), not UTF-16 units', () => {
    it('accepts MAX_TASK_CHARS emoji', async () => {
      await execute({ task: '😀'.repeat(10) }).expect(200);
    });

    it('refuses one character more', async () => {
      const res = await execute({ task: '😀'.repeat(11) }).expect(422);
      expect(res.body.error.details).toEqual([
        { field: 'task', message: 'task must be at most 10 characters' },
      ]);
    });
  });

  describe('dates are parsed strictly', () => {
    it('reads the year 0000 as itself, not as 1900', async () => {
      const res = await http()
        .get('/v1/usage?from=0000-01-01&to=0000-01-31')
        .set('X-API-Key', KEY)
        .expect(200);
      expect(res.body).toMatchObject({ from: '0000-01-01', to: '0000-01-31' });
      expect(res.body.days).toHaveLength(31);
    });

    it.each([
      '/v1/usage?from=2026-02-30',
      '/v1/usage?to=26-01-01',
      '/v1/usage?from=2026-01-01T00:00:00Z',
      '/v1/system/metrics/history?from=2026-01-04T12:00:00',
      '/v1/system/metrics/history?to=2026-01-04',
      '/v1/system/metrics/history?to=2026-13-04T12:00:00Z',
    ])('refuses %s with 422', async (path) => {
      const res = await http().get(path).set('X-API-Key', KEY).expect(422);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    });
  });

  it('refuses a Content-Length over the limit at once, without waiting for the body', async () => {
    const head =
      `POST /v1/agent/execute HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"task":"x"}';
    // The body never arrives in full: an answer at all shows the header alone decided.
    const res = await sendBytes(t.url!, Buffer.from(head), 10_000);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});
