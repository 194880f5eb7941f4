import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import request from 'supertest';
import { ProbeController } from './probe.controller';

describe('HTTP error envelope', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      mode: 'api',
      env: { MAX_BODY_BYTES: '2048' },
      extra: { controllers: [ProbeController] },
    });
  });
  afterAll(() => t.close());

  const server = () => t.app.getHttpServer();

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const res = await request(server()).get('/v1/nothing-here').expect(404);
    expect(res.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /v1/nothing-here.' },
    });
  });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await request(server())
      .post('/v1/probe')
      .set('Content-Type', 'application/json')
      .send('{"name": "x",')
      .expect(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('answers a failing DTO with 422 VALIDATION_ERROR listing the fields', async () => {
    const res = await request(server())
      .post('/v1/probe')
      .send({ name: '', count: 'seven' })
      .expect(422);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const fields = (res.body.error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'count']));
  });

  it('refuses unknown fields with 422', async () => {
    const res = await request(server())
      .post('/v1/probe')
      .send({ name: 'a', count: 1, admin: true })
      .expect(422);
    expect(res.body.error.details).toEqual([
      { field: 'admin', message: 'property admin should not exist' },
    ]);
  });

  it('answers a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(server())
      .post('/v1/probe')
      .send({ name: 'x'.repeat(5000), count: 1 })
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await request(server())
      .post('/v1/probe')
      .set('Content-Type', 'text/plain')
      .send('name=x')
      .expect(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each(['utf-7', 'latin1', 'ISO-8859-1', 'utf-16', 'UTF-16LE', 'utf-32', '"utf-7"', ''])(
    'refuses a JSON body declared as charset=%s with 415, before decoding it',
    async (charset) => {
      const res = await request(server())
        .post('/v1/probe')
        .set('Content-Type', `application/json; charset=${charset}`)
        .send('{"name":"x","count":1}')
        .expect(415);
      expect(res.body).toEqual({
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('UTF-8') },
      });
    },
  );

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="Utf-8"',
  ])('accepts a UTF-8 JSON body sent as %s', async (contentType) => {
    const res = await request(server())
      .post('/v1/probe')
      .set('Content-Type', contentType)
      // A string goes out as UTF-8 bytes.
      .send('{"name":"çay","count":1}')
      .expect(201);
    expect(res.body.body).toEqual({ name: 'çay', count: 1 });
  });

  it('answers an unexpected error with 500 INTERNAL_ERROR, no internals, and logs it with the request id', async () => {
    const res = await request(server())
      .get('/v1/probe/boom')
      .set('X-Request-Id', 'req-boom-1')
      .expect(500);
    expect(res.body).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred.' },
    });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const logged = t.logs.withRequestId('req-boom-1').find((l) => l.level === 'error');
    expect(logged).toBeDefined();
  });

  it('accepts a valid body', async () => {
    const res = await request(server()).post('/v1/probe').send({ name: 'a', count: 3 }).expect(201);
    expect(res.body).toEqual({ body: { name: 'a', count: 3 }, api_key_id: null });
  });
});
