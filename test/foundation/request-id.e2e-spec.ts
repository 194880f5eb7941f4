import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import request from 'supertest';

describe('X-Request-Id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ mode: 'api', env: { API_KEYS: 'secret-key-value' } });
  });
  afterAll(() => t.close());

  it('echoes an acceptable incoming id and puts it on the request log line', async () => {
    const res = await request(t.app.getHttpServer())
      .get('/v1/unknown')
      .set('X-Request-Id', 'client-abc-123');
    expect(res.headers['x-request-id']).toBe('client-abc-123');
    const lines = t.logs.withRequestId('client-abc-123');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.msg === 'request completed')).toBe(true);
  });

  it('generates a UUID when none is sent', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/live');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an id that is too long or not a printable token', async () => {
    for (const bad of ['x'.repeat(129), 'has space', 'tab\tinside']) {
      const res = await request(t.app.getHttpServer()).get('/health/live').set('X-Request-Id', bad);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('redacts keys in headers and query strings from the logs', async () => {
    await request(t.app.getHttpServer())
      .get('/v1/unknown?api_key=secret-key-value&X-API-Key=secret-key-value&page=2')
      .set('X-API-Key', 'secret-key-value')
      .set('Authorization', 'Bearer secret-key-value')
      .set('X-Request-Id', 'redaction-check');
    const lines = t.logs.withRequestId('redaction-check');
    expect(lines.length).toBeGreaterThan(0);
    expect(t.logs.text()).not.toContain('secret-key-value');
    const completed = lines.find((l) => l.msg === 'request completed') as { req: { url: string } };
    expect(completed.req.url).toBe('/v1/unknown?api_key=[redacted]&X-API-Key=[redacted]&page=2');
  });
});
