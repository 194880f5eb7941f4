import { getConnectionToken } from '@nestjs/mongoose';
import {
  type ChatReply,
  contentReply,
  createTestApp,
  type Fault,
  isRouterRequest,
  type LlmServers,
  type RecordedChatRequest,
  startLlmServers,
  type TestApp,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import {
  settledAudit,
  chaosSeed,
  seededRandom,
  waitUntilFinished,
} from '../../libs/testing/src/reliability';
import { RedisConnections } from '../../src/redis/redis-connections';
import { chaosTaskText } from './chaos-fixture';
import { taskStreamKey } from '../../src/events/task-event-stream';

const STORM_TASKS = 30;
const LLM_TIMEOUT_MS = 1500;
/** The smallest wait the service may leave before calling again after a failure (LLM and queue backoff). */
const MIN_BACKOFF_MS = 250;
const QUEUE_RETRY_BACKOFF_MS = 300;

/** Faults that a retry may get past, and how often the storm throws each. */
const STORM: { weight: number; fault: Fault }[] = [
  { weight: 2, fault: { type: 'rate_limit', retryAfterS: 1 } },
  { weight: 2, fault: { type: 'rate_limit' } },
  { weight: 2, fault: { type: 'server_error' } },
  { weight: 1, fault: { type: 'server_error', status: 502 } },
  { weight: 1, fault: { type: 'server_error', status: 503 } },
  { weight: 1, fault: { type: 'slow_first_byte', delayMs: 2 * LLM_TIMEOUT_MS } },
  { weight: 2, fault: { type: 'cut_stream', afterChunks: 2 } },
  { weight: 1, fault: { type: 'malformed_json' } },
  { weight: 0.3, fault: { type: 'bad_request' } },
];
const STORM_PROBABILITY = 0.4;

/** One task per fault kind, hit on its first call, so every kind is seen whatever the seed. */
const SCRIPTED: { text: string; router: boolean; fault: Fault; outcome: 'completed' | 'failed' }[] =
  [
    {
      text: 'Write a blog post about rate limits (scripted 429)',
      router: true,
      fault: { type: 'rate_limit', retryAfterS: 1 },
      outcome: 'completed',
    },
    {
      text: 'Write a Python function for server errors (scripted 500)',
      router: false,
      fault: { type: 'server_error' },
      outcome: 'completed',
    },
    {
      text: 'Write a Python function for timeouts (scripted timeout)',
      router: false,
      fault: { type: 'slow_first_byte', delayMs: 2 * LLM_TIMEOUT_MS },
      outcome: 'completed',
    },
    {
      text: 'Write an article about broken streams (scripted cut)',
      router: false,
      fault: { type: 'cut_stream', afterChunks: 2 },
      outcome: 'completed',
    },
    {
      text: 'Write a Python function for bad JSON (scripted malformed)',
      router: true,
      fault: { type: 'malformed_json' },
      outcome: 'completed',
    },
    {
      text: 'Write a Python function the provider refuses (scripted 400)',
      router: false,
      fault: { type: 'bad_request' },
      outcome: 'failed',
    },
  ];

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A cut stream cuts a real answer: the content agent's text is on its way when the socket dies. */
function faultReply(req: RecordedChatRequest, fault: Fault): ChatReply {
  return fault.type === 'cut_stream' && req.stream
    ? { content: contentReply(req), fault }
    : { fault };
}

const callKey = (r: RecordedChatRequest) => `${r.model}|${hash(r.systemText)}|${r.lastUserText}`;

describe('an LLM storm of 429s, 5xx, timeouts and cut streams', () => {
  let servers: LlmServers;
  let app: TestApp;
  let db: Connection;

  beforeAll(async () => {
    servers = await startLlmServers();
    app = await createTestApp({
      mode: 'all',
      env: {
        ...servers.env,
        LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
        LLM_MAX_RETRIES: '2',
        QUEUE_MAX_RETRIES: '2',
        QUEUE_RETRY_BACKOFF_MS: String(QUEUE_RETRY_BACKOFF_MS),
        WORKER_CONCURRENCY: '8',
      },
    });
    db = app.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await app?.close();
    await servers?.close();
  });

  it('retries with backoff and ends every task completed, or failed with an error document', async () => {
    const random = chaosSeed('LLM faults');
    // The storm decides per call and per repetition of that call, so a seed replays the same
    // faults whatever order concurrent calls arrive in.
    const seen = new Map<string, number>();
    const scriptedTexts = SCRIPTED.map((s) => s.text);
    const totalWeight = STORM.reduce((sum, s) => sum + s.weight, 0);
    const stormFault = (req: RecordedChatRequest): Fault | undefined => {
      const key = callKey(req);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const draw = seededRandom((random.seed ^ hash(key) ^ Math.imul(n, 0x9e3779b1)) >>> 0);
      if (!draw.chance(STORM_PROBABILITY)) return undefined;
      let pick = draw.next() * totalWeight;
      return STORM.find((s) => (pick -= s.weight) < 0)?.fault ?? STORM[0].fault;
    };
    const decided = new WeakMap<RecordedChatRequest, Fault | undefined>();
    servers.llm.when(
      (req) => {
        if (scriptedTexts.some((t) => req.lastUserText.includes(t))) return false;
        decided.set(req, stormFault(req));
        return decided.get(req) !== undefined;
      },
      (req) => faultReply(req, decided.get(req)!),
    );
    for (const s of SCRIPTED) {
      servers.llm.when(
        (req) => req.lastUserText.includes(s.text) && isRouterRequest(req) === s.router,
        (req: RecordedChatRequest) => faultReply(req, s.fault),
        { times: 1 },
      );
    }

    const texts = [
      ...scriptedTexts,
      ...Array.from({ length: STORM_TASKS }, (_, n) => chaosTaskText(random, n)),
    ];
    const taskIds: string[] = [];
    for (const task of texts) {
      const res = await request(app.app.getHttpServer())
        .post('/v1/agent/execute')
        .send({ task })
        .expect(200);
      taskIds.push(res.body.task_id as string);
    }
    await waitUntilFinished(db, taskIds, 180_000);

    // Every task finished, exactly once, and each failure carries its error document.
    const audit = await settledAudit(db, taskIds);
    expect(audit.problems).toEqual([]);
    expect(Object.keys(audit.byStatus).filter((s) => s !== 'completed' && s !== 'failed')).toEqual(
      [],
    );
    const tasks = await db
      .collection('tasks')
      .find({ task_id: { $in: taskIds } })
      .toArray();
    const byText = new Map(tasks.map((t) => [t.input_text as string, t]));
    for (const s of SCRIPTED)
      expect({ text: s.text, status: byText.get(s.text)?.status }).toEqual({
        text: s.text,
        status: s.outcome,
      });
    for (const failed of tasks.filter((t) => t.status === 'failed')) {
      const error = failed.error as { code: string; retryable: boolean; attempts: number };
      expect([
        'LLM_RATE_LIMITED',
        'LLM_UNAVAILABLE',
        'LLM_TIMEOUT',
        'LLM_REQUEST_REJECTED',
      ]).toContain(error.code);
      // A refused request is not retried; a transient failure fails only after every attempt.
      if (error.retryable) expect(error.attempts).toBe(3);
      else expect(error.code).toBe('LLM_REQUEST_REJECTED');
    }

    // Every kind of fault happened, and each transient one was retried after a backoff.
    const chats = servers.llm.chatRequests();
    const kinds = new Set(chats.map((r) => r.fault).filter((f) => f !== undefined));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'bad_request',
        'cut_stream',
        'malformed_json',
        'rate_limit',
        'server_error',
        'slow_first_byte',
      ]),
    );
    const retriesTooSoon: string[] = [];
    const notRetried: string[] = [];
    let retried = 0;
    for (const [i, faulted] of chats.entries()) {
      if (!faulted.fault || faulted.fault === 'bad_request') continue;
      const next = chats.slice(i + 1).find((r) => callKey(r) === callKey(faulted));
      const failedTask = [...byText.values()].some(
        (t) => t.status === 'failed' && faulted.lastUserText.includes(t.input_text as string),
      );
      if (!next) {
        // No retry of this call: only when its task failed for good.
        if (!failedTask)
          notRetried.push(
            `${faulted.fault} on ${isRouterRequest(faulted) ? 'router' : faulted.model}: ${faulted.lastUserText.slice(0, 100)}`,
          );
        continue;
      }
      retried += 1;
      const failedAt =
        faulted.fault === 'slow_first_byte'
          ? faulted.receivedAt + LLM_TIMEOUT_MS
          : faulted.finishedAt!;
      if (next.receivedAt - failedAt < MIN_BACKOFF_MS - 20) {
        retriesTooSoon.push(`${faulted.fault} then again after ${next.receivedAt - failedAt} ms`);
      }
    }
    expect(notRetried).toEqual([]);
    expect(retried).toBeGreaterThan(0);
    expect(retriesTooSoon).toEqual([]);

    // The scripted 429 said Retry-After: 1, and the client waited that long.
    const [limited, after] = chats.filter(
      (r) => isRouterRequest(r) && r.lastUserText.includes(SCRIPTED[0].text),
    );
    expect(limited.fault).toBe('rate_limit');
    expect(after.receivedAt - limited.finishedAt!).toBeGreaterThanOrEqual(1000);

    // Task-level retries waited the queue's exponential backoff between attempts.
    const redis = app.app.get(RedisConnections).commands;
    let queueRetries = 0;
    for (const id of taskIds) {
      const events = (
        (await redis.xrange(taskStreamKey(id), '-', '+')) as [string, string[]][]
      ).map(
        ([, fields]) =>
          JSON.parse(fields[1]) as { status?: string; at: string; data?: { attempt?: number } },
      );
      events.forEach((e, i) => {
        if (e.status !== 'retrying') return;
        const resumed = events.slice(i + 1).find((x) => x.status === 'processing');
        if (!resumed) return;
        queueRetries += 1;
        const backoff = QUEUE_RETRY_BACKOFF_MS * 2 ** ((e.data?.attempt ?? 1) - 1);
        expect(Date.parse(resumed.at) - Date.parse(e.at)).toBeGreaterThanOrEqual(backoff - 5);
      });
    }
    process.stdout.write(
      `[reliability] LLM faults: ${chats.length} calls, ${chats.filter((r) => r.fault).length} faults, ${retried} retried calls, ${queueRetries} task retries, outcome ${JSON.stringify(audit.byStatus)}\n`,
    );
    expect(queueRetries).toBeGreaterThan(0);
  }, 240_000);
});
