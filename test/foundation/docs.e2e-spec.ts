import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import request from 'supertest';

describe('API docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ mode: 'api' });
  });
  afterAll(() => t.close());

  it('serves Swagger UI as HTML at /docs', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('swagger-ui');
  });

  it('serves a valid OpenAPI 3 document at /docs-json with the API-key scheme', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
    const doc = res.body as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
    };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBe('agent-orchestrator');
    expect(doc.components.securitySchemes['api-key']).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics']) {
      expect(doc.paths[path]?.get?.responses).toBeDefined();
    }
  });
});
