import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestApp, waitFor } from '@agent-orchestrator/testing';
import request from 'supertest';
import {
  type Pipeline,
  pipelineApp,
  startPipeline,
  type TaskDetail,
} from '../tasks/pipeline-fixture';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** A webhook receiver on loopback that answers with the statuses it is given, then 200. */
async function startReceiver(statuses: number[] = []) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Standard Webhooks verification, written from the spec, independently of the service's signer. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`)
    .digest('base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((sig) => sig === `v1,${expected}`);
}

describe('completion webhooks', () => {
  let pipeline: Pipeline;
  let t: TestApp;

  beforeAll(async () => {
    pipeline = await startPipeline({
      mode: 'all',
      env: {
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_BACKOFF_MS: '20',
        WEBHOOK_MAX_ATTEMPTS: '3',
        PUBLIC_BASE_URL: 'https://api.example.com',
      },
    });
    t = pipeline.t;
  });
  afterAll(() => pipeline.close());

  const http = () => request(t.app.getHttpServer());
  const deliveries = (taskId: string, n: number) =>
    waitFor(async () => {
      const task = (await http().get(`/v1/tasks/${taskId}`)).body as TaskDetail & {
        webhook_deliveries: { outcome: string; status_code: number }[];
      };
      return task.webhook_deliveries.length >= n ? task : undefined;
    }, `${n} webhook deliveries`);

  it('POSTs a signed summary when the task completes, and records the delivery', async () => {
    const receiver = await startReceiver();
    try {
      const res = await http()
        .post('/v1/agent/execute')
        .send({ task: 'Write a Python function', webhook_url: receiver.url })
        .expect(200);
      const task = await deliveries(res.body.task_id, 1);
      expect(task.webhook_deliveries).toEqual([
        expect.objectContaining({ outcome: 'delivered', status_code: 200, attempt: 1 }),
      ]);
      expect(receiver.received).toHaveLength(1);
      const [{ headers, body }] = receiver.received;
      expect(headers['content-type']).toBe('application/json');
      expect(verify(SECRET, headers, body)).toBe(true);
      expect(verify(`whsec_${randomBytes(24).toString('base64')}`, headers, body)).toBe(false);
      expect(JSON.parse(body)).toMatchObject({
        type: 'task.completed',
        data: {
          task_id: res.body.task_id,
          status: 'completed',
          agent: 'CodeAgent',
          summary: expect.any(String),
          error: null,
          cost: { total_tokens: expect.any(Number) },
          links: { task: `https://api.example.com/v1/tasks/${res.body.task_id}` },
        },
      });
    } finally {
      await receiver.close();
    }
  });

  it('retries a failing receiver with backoff and records every attempt', async () => {
    const receiver = await startReceiver([500, 503]);
    try {
      const res = await http()
        .post('/v1/agent/execute')
        .send({ task: 'Write a Go function', webhook_url: receiver.url })
        .expect(200);
      const task = await deliveries(res.body.task_id, 3);
      expect(task.webhook_deliveries.map((d) => [d.outcome, d.status_code])).toEqual([
        ['failed', 500],
        ['failed', 503],
        ['delivered', 200],
      ]);
      // The same message id on every attempt, so the receiver can drop duplicates.
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS, with every failure recorded', async () => {
    const receiver = await startReceiver([500, 500, 500, 500]);
    try {
      const res = await http()
        .post('/v1/agent/execute')
        .send({ task: 'Write a Rust function', webhook_url: receiver.url })
        .expect(200);
      const task = await deliveries(res.body.task_id, 3);
      expect(task.webhook_deliveries.map((d) => d.outcome)).toEqual(['failed', 'failed', 'failed']);
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhook_url validation', () => {
  let pipeline: Pipeline;
  let t: TestApp;

  beforeAll(async () => {
    pipeline = await startPipeline({ mode: 'api', env: { WEBHOOK_SECRET: SECRET } });
    t = pipeline.t;
  });
  afterAll(() => pipeline.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://10.0.0.5/hook',
    'http://192.168.1.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'ftp://example.com/hook',
    'not a url',
    'https://user:pass@example.com/hook',
  ])('refuses %s with 422 and stores nothing', async (url) => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .send({ task: 'x', webhook_url: url })
      .expect(422);
    expect(res.body.error.details[0].field).toBe('webhook_url');
    expect(
      await request(t.app.getHttpServer())
        .get('/v1/tasks')
        .then((r) => r.headers['x-total-count']),
    ).toBe('0');
  });
});

describe('webhooks without WEBHOOK_SECRET', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await pipelineApp({}, { mode: 'api' });
  });
  afterAll(() => t.close());

  it('refuses a webhook_url, saying what to set', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .send({ task: 'x', webhook_url: 'https://example.com/hook' })
      .expect(422);
    expect(res.body.error.details[0].message).toContain('WEBHOOK_SECRET');
  });
});
