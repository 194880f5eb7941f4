import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  type LlmServers,
  startLlmServers,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { AppProcesses, sendRaw } from '../../libs/testing/src/reliability';
import { processBackends } from './chaos-fixture';

const KEY_A = 'rel-SECRET-api-key-A-7f3k9q';
const KEY_B = 'rel-SECRET-api-key-B-2m8x4w';
/** A key nobody configured: presented by a client, it must not be logged either. */
const WRONG_KEY = 'rel-SECRET-wrong-key-6b4j';
const WEBHOOK_KEY = Buffer.from('REL-SECRET-webhook-key-9d2v!').toString('base64');
const WEBHOOK_SECRET = `whsec_${WEBHOOK_KEY}`;
const OPENAI_KEY = 'sk-REL-SECRET-openai-5h7p';
const TAVILY_KEY = 'tvly-REL-SECRET-tavily-3c1n';

const SECRETS = { KEY_A, KEY_B, WRONG_KEY, WEBHOOK_SECRET, WEBHOOK_KEY, OPENAI_KEY, TAVILY_KEY };

/** Which secrets occur in `text`, by name. */
function secretsIn(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret) || text.includes(encodeURIComponent(secret)))
    .map(([name]) => name);
}

async function startReceiver(status: number) {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const APP_ENV = {
  API_KEYS: `${KEY_A},${KEY_B}`,
  WEBHOOK_SECRET,
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_MAX_ATTEMPTS: '2',
  WEBHOOK_BACKOFF_MS: '50',
  LOG_LEVEL: 'DEBUG',
  LLM_MAX_RETRIES: '1',
};

/**
 * Drives one API (in-process, or a spawned process) through everything that touches a secret:
 * header and query-parameter keys, wrong keys, tasks that call the LLM and the search API, a
 * refused LLM key, and webhooks delivered and failing. Returns the ids of what it created.
 */
async function exercise(
  base: string,
  servers: LlmServers,
  receivers: { ok: string; failing: string },
) {
  const asA = { 'X-API-Key': KEY_A };
  const json = { ...asA, 'Content-Type': 'application/json' };
  const submit = async (body: object) => {
    const res = await sendRaw(base, {
      method: 'POST',
      path: '/v1/agent/execute',
      headers: json,
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as { task_id: string; session_id: string };
  };
  const finished = (taskId: string) =>
    waitFor(
      async () => {
        const res = await sendRaw(base, {
          method: 'GET',
          path: `/v1/tasks/${taskId}`,
          headers: asA,
        });
        const status = (JSON.parse(res.text) as { status: string }).status;
        return ['completed', 'failed'].includes(status) ? status : undefined;
      },
      `task ${taskId} to finish`,
      60_000,
    );

  const content = await submit({
    task: 'Write a blog post about secret keeping',
    webhook_url: receivers.ok,
  });
  const code = await submit({
    task: 'Write a Python function to hash a password',
    webhook_url: receivers.failing,
  });
  const refused = await submit({
    task: 'Write a Python function the provider refuses with an echoed key',
  });
  expect(await finished(content.task_id)).toBe('completed');
  expect(await finished(code.task_id)).toBe('completed');
  expect(await finished(refused.task_id)).toBe('failed');

  const get = (path: string, headers: Record<string, string> = asA) =>
    sendRaw(base, { method: 'GET', path, headers });
  expect((await get('/v1/tasks')).status).toBe(200);
  expect((await get(`/v1/sessions/${content.session_id}`)).status).toBe(200);
  // EventSource clients put the key in the query string; all its spellings, and wrong ones.
  for (const query of [
    `api_key=${KEY_A}`,
    `X-API-Key=${KEY_A}`,
    `x-api-key=${KEY_A}`,
    `api%5Fkey=${encodeURIComponent(KEY_A)}`,
    `last_event_id=0-0&api_key=${KEY_A}`,
  ]) {
    const res = await get(`/v1/tasks/${content.task_id}/events?${query}`, {});
    expect({ query, status: res.status }).toEqual({ query, status: 200 });
  }
  for (const query of [`api_key=${WRONG_KEY}`, `api_key=${KEY_B}`]) {
    const res = await get(`/v1/tasks/${content.task_id}/events?${query}`, {});
    expect([401, 404]).toContain(res.status);
  }
  expect((await get(`/v1/tasks?api_key=${KEY_A}`, {})).status).toBe(401);
  expect((await get('/v1/tasks', { 'X-API-Key': WRONG_KEY })).status).toBe(401);
  expect((await get('/v1/tasks', { Authorization: `Bearer ${KEY_A}` })).status).toBe(401);
  return [content.task_id, code.task_id, refused.task_id];
}

/**
 * No API key, webhook secret or LLM/search key appears in any log line, of the in-process app
 * (captured) or of spawned API and worker processes (stdout and stderr), at DEBUG level.
 */
describe('secrets in logs', () => {
  let servers: LlmServers;
  let ok: Awaited<ReturnType<typeof startReceiver>>;
  let failing: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    servers = await startLlmServers({ openAiKey: OPENAI_KEY, tavilyKey: TAVILY_KEY });
    // An upstream that echoes the key it refused, as some proxies do.
    servers.llm.when(
      { lastUserIncludes: 'refuses with an echoed key' },
      { fault: { type: 'unauthorized', message: `Incorrect API key provided: ${OPENAI_KEY}.` } },
    );
    ok = await startReceiver(200);
    failing = await startReceiver(500);
  });
  afterAll(async () => {
    await servers?.close();
    await ok?.close();
    await failing?.close();
  });

  it('keeps every secret out of the logs of an in-process app, the query-parameter key included', async () => {
    let t: TestApp | undefined;
    try {
      t = await createTestApp({ mode: 'all', listen: true, env: { ...servers.env, ...APP_ENV } });
      const ids = await exercise(t.url!, servers, { ok: ok.url, failing: failing.url });
      await waitFor(
        () => ok.received.length > 0 && failing.received.length >= 2,
        'webhook deliveries',
      );
      // The secrets were in use: the LLM and search servers checked their keys, webhooks were signed.
      expect(secretsIn(JSON.stringify(servers.llm.requests.map((r) => r.headers)))).toEqual([
        'OPENAI_KEY',
      ]);
      expect(secretsIn(JSON.stringify(servers.search.requests.map((r) => r.headers)))).toEqual([
        'TAVILY_KEY',
      ]);
      expect(ok.received[0]['webhook-signature']).toMatch(/^v1,/);

      const logs = t.logs.text();
      expect(logs).toContain(ids[0]);
      expect(logs).toContain('[redacted]');
      expect(secretsIn(logs)).toEqual([]);
      // Nor is any stored: not in the database, not in Redis.
      const db = t.app.get<Connection>(getConnectionToken());
      for (const { name } of await db.db!.listCollections().toArray()) {
        const docs = JSON.stringify(await db.collection(name).find().toArray());
        expect({ name, secrets: secretsIn(docs) }).toEqual({ name, secrets: [] });
      }
      expect(secretsIn(await redisText(t.backends.redisUrl, t.backends.redisKeyPrefix))).toEqual(
        [],
      );
    } finally {
      await t?.close();
    }
  }, 120_000);

  it('keeps every secret out of the stdout and stderr of spawned API and worker processes', async () => {
    const backends = testBackends();
    const processes = new AppProcesses(processBackends(backends), { ...servers.env, ...APP_ENV });
    try {
      const [api] = await Promise.all([processes.start('api'), processes.start('worker')]);
      const ids = await exercise(api.base, servers, { ok: ok.url, failing: failing.url });
      await waitFor(
        () => ok.received.length > 1 && failing.received.length >= 4,
        'webhook deliveries',
      );
      const output = processes.output();
      expect(output).toContain(ids[0]);
      expect(output).toContain('<set>');
      expect(secretsIn(output)).toEqual([]);
    } finally {
      for (const p of processes.spawned) if (p.alive()) p.kill('SIGTERM');
      await Promise.all(processes.spawned.map((p) => p.exited));
      await processes.killAll();
      const output = processes.output();
      expect(secretsIn(output)).toEqual([]);
    }
  }, 120_000);
});

/** Every value stored under the prefix, as text. */
async function redisText(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const out: string[] = [];
    for (const key of await redis.keys(`${prefix}*`)) {
      const type = await redis.type(key);
      if (type === 'string') out.push(String(await redis.get(key)));
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
    return out.join('\n');
  } finally {
    redis.disconnect();
  }
}
