import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import request from 'supertest';
import { apiKeyId } from '../../src/auth';
import { ProbeController } from './probe.controller';

const body = { name: 'a', count: 1 };

describe('API-key auth, when API_KEYS is set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      mode: 'api',
      env: { API_KEYS: '["key-one","key-two"]' },
      extra: { controllers: [ProbeController] },
    });
  });
  afterAll(() => t.close());

  it('refuses a request without X-API-Key with 401 HTTP_ERROR', async () => {
    const res = await request(t.app.getHttpServer()).post('/v1/probe').send(body).expect(401);
    expect(res.body).toEqual({ error: { code: 'HTTP_ERROR', message: 'Missing API key.' } });
  });

  it('refuses a wrong key with 401 HTTP_ERROR', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/probe')
      .set('X-API-Key', 'key-three')
      .send(body)
      .expect(401);
    expect(res.body.error).toEqual({ code: 'HTTP_ERROR', message: 'Invalid API key.' });
  });

  it('does not take the key from the query string on ordinary routes', async () => {
    await request(t.app.getHttpServer()).post('/v1/probe?api_key=key-one').send(body).expect(401);
  });

  it('accepts every configured key and identifies the caller by a hash, never the key', async () => {
    for (const key of ['key-one', 'key-two']) {
      const res = await request(t.app.getHttpServer())
        .post('/v1/probe')
        .set('X-API-Key', key)
        .send(body)
        .expect(201);
      expect(res.body.api_key_id).toBe(apiKeyId(key));
      expect(res.body.api_key_id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('keeps health, metrics and docs open', async () => {
    const server = t.app.getHttpServer();
    await request(server).get('/health/live').expect(200);
    await request(server).get('/metrics').expect(200);
    await request(server).get('/docs-json').expect(200);
  });

  it('never logs the key', () => {
    expect(t.logs.text()).not.toMatch(/key-one|key-two/);
  });
});

describe('API-key auth, when API_KEYS is empty', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      mode: 'api',
      env: { API_KEYS: '' },
      extra: { controllers: [ProbeController] },
    });
  });
  afterAll(() => t.close());

  it('lets requests through without a key and warns once at start-up', async () => {
    const res = await request(t.app.getHttpServer()).post('/v1/probe').send(body).expect(201);
    expect(res.body.api_key_id).toBeNull();
    const warnings = t.logs.lines.filter((l) =>
      String(l.msg).includes('authentication is disabled'),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe('warn');
  });
});
