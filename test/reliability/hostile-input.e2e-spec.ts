import { getConnectionToken } from '@nestjs/mongoose';
import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import {
  type Census,
  documentDelta,
  newRedisKeys,
  QueryRecorder,
  type RawResponse,
  type RecordedOperation,
  sendBytes,
  sendRaw,
  takeCensus,
} from '../../libs/testing/src/reliability';
import { apiKeyId } from '../../src/auth/api-key-id';
import { type HostileCase, hostileCorpus } from './hostile-corpus';

const KEY_A = 'rel-key-a-5d1f0c9e7b';
const KEY_B = 'rel-key-b-8a2e4f6d1c';
/** Text only key B's records contain: it must never appear in an answer to key A. */
const B_MARKER = 'zebra-confidential-4471';

interface Outcome {
  case: HostileCase;
  res: RawResponse;
  /** What reached MongoDB while this request was served (requests are sent one at a time). */
  operations: RecordedOperation[];
}

/**
 * A corpus of hostile requests against every endpoint, sent with key A (or none) to an API that
 * holds records of key A and key B. The corpus runs once; each test checks one property of what
 * happened.
 */
describe('hostile requests', () => {
  let t: TestApp;
  let db: Connection;
  let redis: Redis;
  let recorder: QueryRecorder;
  let before: Census;
  let after: Census;
  const outcomes: Outcome[] = [];
  const otherRecords: { task: string; session: string }[] = [];
  let corpusSize = 0;

  const submit = async (
    key: string,
    body: object,
  ): Promise<{ task_id: string; session_id: string }> => {
    const res = await sendRaw(t.url!, {
      method: 'POST',
      path: '/v1/agent/execute',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': key },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as { task_id: string; session_id: string };
  };

  beforeAll(async () => {
    t = await createTestApp({
      mode: 'api',
      listen: true,
      env: {
        API_KEYS: `${KEY_A},${KEY_B}`,
        WEBHOOK_SECRET: 'whsec-hostile-input-test',
        MAX_TASK_CHARS: '8000',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      },
    });
    db = t.app.get<Connection>(getConnectionToken());
    redis = new Redis(t.backends.redisUrl);

    // Key B's records, which key A must never reach, and key A's own.
    for (const text of [`${B_MARKER} first`, `${B_MARKER} second`]) {
      const b = await submit(KEY_B, { task: text, metadata: { owner: B_MARKER } });
      otherRecords.push({ task: b.task_id, session: b.session_id });
    }
    const own = await submit(KEY_A, { task: 'my own task' });
    const cancel = await sendRaw(t.url!, {
      method: 'POST',
      path: `/v1/tasks/${own.task_id}/cancel`,
      headers: { 'X-API-Key': KEY_A },
    });
    expect(cancel.status).toBe(200);
    await submit(KEY_A, { task: 'my own queued task', session_id: own.session_id });

    const optionalGets: string[] = [];
    for (const path of ['/v1/usage', '/v1/system/metrics', '/v1/system/metrics/history']) {
      const res = await sendRaw(t.url!, { method: 'GET', path, headers: { 'X-API-Key': KEY_A } });
      if (res.status !== 404) optionalGets.push(path);
    }

    const corpus = hostileCorpus({
      keyA: KEY_A,
      keyB: KEY_B,
      ownFinishedTask: own.task_id,
      ownSession: own.session_id,
      otherTask: otherRecords[0].task,
      otherSession: otherRecords[0].session,
      optionalGets,
    });
    corpusSize = corpus.length;

    const census = () => takeCensus(db, { client: redis, prefix: t.backends.redisKeyPrefix });
    before = await census();
    recorder = new QueryRecorder(db).start();
    for (const c of corpus) {
      const headers = { ...(c.request.headers ?? {}) };
      if (!c.anonymous) headers['X-API-Key'] = KEY_A;
      const from = recorder.operations.length;
      const res = await sendRaw(t.url!, { ...c.request, headers });
      outcomes.push({ case: c, res, operations: recorder.operations.slice(from) });
    }
    // Bytes node:http would refuse to put in a request line or a header.
    for (const [name, bytes] of [
      [
        'a request line with raw invalid UTF-8',
        Buffer.concat([
          Buffer.from('GET /v1/tasks/'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(` HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY_A}\r\nConnection: close\r\n\r\n`),
        ]),
      ],
      [
        'a header value with raw invalid UTF-8',
        Buffer.concat([
          Buffer.from(`GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY_A}\r\nX-Request-Id: `),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('\r\nConnection: close\r\n\r\n'),
        ]),
      ],
      [
        'an API key with raw invalid UTF-8',
        Buffer.concat([
          Buffer.from('GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-API-Key: '),
          Buffer.from([0xff, 0x00]),
          Buffer.from('\r\nConnection: close\r\n\r\n'),
        ]),
      ],
      [
        'a space in the path',
        Buffer.from(
          `GET /v1/tasks/a b HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY_A}\r\nConnection: close\r\n\r\n`,
        ),
      ],
      [
        'a CRLF inside a header',
        Buffer.from(
          `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY_A}\rX-Evil: 1\r\nConnection: close\r\n\r\n`,
        ),
      ],
    ] as const) {
      const c: HostileCase = { name: `raw bytes: ${name}`, request: { method: 'RAW', path: '' } };
      const from = recorder.operations.length;
      const res = await sendBytes(t.url!, bytes);
      outcomes.push({ case: c, res, operations: recorder.operations.slice(from) });
      corpusSize += 1;
    }
    recorder.stop();
    after = await census();
  }, 240_000);

  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  const describeOutcome = (o: Outcome) =>
    `${o.case.name} -> ${o.res.status} ${o.res.text.slice(0, 160)}`;

  it('holds a corpus of at least 200 hostile requests covering every endpoint', () => {
    expect(corpusSize).toBeGreaterThanOrEqual(200);
    const paths = outcomes.map((o) => `${o.case.request.method} ${o.case.request.path}`).join('\n');
    for (const endpoint of [
      /^POST \/v1\/agent\/execute/m,
      /^GET \/v1\/tasks\?/m,
      /^GET \/v1\/tasks\/[^/?]+$/m,
      /^POST \/v1\/tasks\/[^/]+\/cancel/m,
      /^GET \/v1\/tasks\/[^/]+\/events/m,
      /^GET \/v1\/sessions\//m,
      /^GET \/v1\/agents/m,
    ]) {
      expect(paths).toMatch(endpoint);
    }
    process.stdout.write(`[reliability] hostile requests: ${corpusSize} sent\n`);
  });

  it('never answers 5xx, and answers every refusal with a 4xx error envelope', () => {
    const serverErrors = outcomes.filter((o) => o.res.status >= 500 || o.res.status === 0);
    expect(serverErrors.map(describeOutcome)).toEqual([]);
    const badEnvelopes = outcomes.filter((o) => {
      if (o.res.status < 400 || o.case.request.method === 'RAW') return false;
      try {
        const body = JSON.parse(o.res.text) as { error?: { code?: unknown; message?: unknown } };
        return typeof body.error?.code !== 'string' || typeof body.error.message !== 'string';
      } catch {
        return true;
      }
    });
    expect(badEnvelopes.map(describeOutcome)).toEqual([]);
    expect(t.logs.text()).not.toContain('Unhandled error while serving a request');
  });

  it('lets no operator from a request reach a MongoDB query', () => {
    expect(recorder.operations.length).toBeGreaterThan(0);
    expect(recorder.foreignOperators()).toEqual([]);
    // A read of key-owned records is scoped to key A, or to a task id key A's read just found.
    // (/v1/system/metrics reports on the whole service by design.)
    const keyA = apiKeyId(KEY_A);
    const unscoped = outcomes
      .filter((o) => !o.case.request.path.startsWith('/v1/system/metrics'))
      .flatMap((o) => o.operations.map((op) => ({ o, op })))
      .filter(({ op }) => {
        if (!['tasks', 'sessions', 'messages', 'agent_runs'].includes(op.collection)) return false;
        if (['insertOne', 'insertMany'].includes(op.method)) return false;
        const filter = JSON.stringify(op.params[0] ?? {});
        return !filter.includes(keyA) && !/"task_id":"[^"]*"/.test(filter);
      });
    expect(
      unscoped.map(
        ({ o, op }) =>
          `${o.case.name}: ${op.collection}.${op.method} ${JSON.stringify(op.params[0])}`,
      ),
    ).toEqual([]);
  });

  it("answers a request that succeeds with key A's data only: nothing of key B leaks", () => {
    const leaks = outcomes.filter((o) => {
      const text = o.res.text;
      if (text.includes(B_MARKER) || text.includes(apiKeyId(KEY_B)) || text.includes(KEY_B))
        return true;
      return otherRecords.some(
        (r) =>
          (text.includes(r.task) && !o.case.request.path.includes(r.task)) ||
          (text.includes(r.session) && !o.case.request.path.includes(r.session)),
      );
    });
    expect(leaks.map(describeOutcome)).toEqual([]);
    const onOtherRecords = outcomes.filter((o) =>
      otherRecords.some(
        (r) => o.case.request.path.includes(r.task) || o.case.request.path.includes(r.session),
      ),
    );
    expect(onOtherRecords.length).toBeGreaterThan(0);
    expect(
      onOtherRecords.filter((o) => ![404, 405, 422].includes(o.res.status)).map(describeOutcome),
    ).toEqual([]);
  });

  it('stores nothing for a refused request: only accepted tasks add documents', async () => {
    const acceptedOutcomes = outcomes.filter(
      (o) =>
        o.case.request.path === '/v1/agent/execute' &&
        o.case.request.method === 'POST' &&
        o.res.status === 200,
    );
    const accepted = acceptedOutcomes.map(
      (o) => (JSON.parse(o.res.text) as { task_id: string }).task_id,
    );
    process.stdout.write(
      `[reliability] hostile requests: ${accepted.length} accepted as tasks (hostile-looking but valid):\n  ${acceptedOutcomes.map((o) => o.case.name).join('\n  ')}\n`,
    );
    const delta = documentDelta(before, after);
    const sessions = delta.sessions ?? 0;
    expect(sessions).toBeLessThanOrEqual(accepted.length);
    expect({ ...delta, sessions: 0 }).toEqual(
      accepted.length === 0
        ? { sessions: 0 }
        : { tasks: accepted.length, messages: accepted.length, logs: accepted.length, sessions: 0 },
    );
    // Redis: only the accepted tasks' job and event keys are new, and the Idempotency-Key claims
    // of accepted requests that sent one.
    // The rate limiter's counters (per caller, not per request) are not a request's data.
    const stray = newRedisKeys(before, after).filter(
      (k) => !accepted.some((id) => k.includes(id)) && !k.includes('{ratelimit:'),
    );
    const claims = acceptedOutcomes.filter((o) =>
      Object.keys(o.case.request.headers ?? {}).some((h) => h.toLowerCase() === 'idempotency-key'),
    ).length;
    expect(stray.filter((k) => !k.startsWith(`${t.backends.redisKeyPrefix}idempotency:`))).toEqual(
      [],
    );
    expect(stray.length).toBe(claims);
    // Key B's tasks are untouched: still queued, not cancelled.
    const others = await db
      .collection('tasks')
      .find({ task_id: { $in: otherRecords.map((r) => r.task) } })
      .toArray();
    expect(others.map((o) => o.status)).toEqual(['queued', 'queued']);
  });

  it('pollutes no prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
