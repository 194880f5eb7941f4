import { randomUUID } from 'node:crypto';
import {
  createTestApp,
  isRouterRequest,
  type LlmServers,
  startLlmServers,
  type TestApp,
  waitFor,
} from '@agent-orchestrator/testing';
import request from 'supertest';

const KEY_A = 'isolation-key-a-31c8e0';
const KEY_B = 'isolation-key-b-9f42d7';
/** Words only key A's task and messages contain. */
const A_MARKER = 'aardvark-private-7731';

interface Task {
  task_id: string;
  session_id: string;
  status: string;
}

/** Two keys on one API and worker: key B can never see, stream, cancel or borrow key A's work. */
describe('isolation between API keys', () => {
  let servers: LlmServers;
  let t: TestApp;
  let finishedA: Task;
  let runningA: Task;
  let releaseRunning: () => void;

  const http = () => request(t.app.getHttpServer());
  const as = (key: string) => ({ 'X-API-Key': key });
  const waitStatus = (key: string, id: string, statuses: string[]) =>
    waitFor(
      async () => {
        const res = await http().get(`/v1/tasks/${id}`).set(as(key));
        return statuses.includes(res.body.status as string) ? (res.body as Task) : undefined;
      },
      `task ${id} to be ${statuses.join(' or ')}`,
    );

  beforeAll(async () => {
    servers = await startLlmServers();
    t = await createTestApp({
      mode: 'all',
      listen: true,
      env: { ...servers.env, API_KEYS: `${KEY_A},${KEY_B}`, SSE_HEARTBEAT_MS: '200' },
    });
    const first = await http()
      .post('/v1/agent/execute')
      .set(as(KEY_A))
      .send({ task: `Write a Python function about ${A_MARKER}` })
      .expect(200);
    finishedA = await waitStatus(KEY_A, first.body.task_id as string, ['completed']);
    // A second task of A stays running: its agent call is held at the LLM server.
    const text = `Write a Python function that keeps running ${A_MARKER}`;
    const hold = servers.llm.holdNext((r) => !isRouterRequest(r) && r.lastUserText.includes(text));
    releaseRunning = hold.release;
    const second = await http()
      .post('/v1/agent/execute')
      .set(as(KEY_A))
      .send({ task: text, session_id: finishedA.session_id })
      .expect(200);
    await hold.reached;
    runningA = await waitStatus(KEY_A, second.body.task_id as string, ['processing']);
  });
  afterAll(async () => {
    releaseRunning?.();
    await t?.close();
    await servers?.close();
  });

  it("cannot read key A's tasks: the answer is the same 404 as for a task that does not exist", async () => {
    const unknown = await http().get(`/v1/tasks/${randomUUID()}`).set(as(KEY_B)).expect(404);
    for (const task of [finishedA, runningA]) {
      const res = await http().get(`/v1/tasks/${task.task_id}`).set(as(KEY_B)).expect(404);
      expect(res.body.error.code).toBe(unknown.body.error.code);
      expect(JSON.stringify(res.body)).not.toContain(A_MARKER);
    }
  });

  it("cannot list key A's tasks, with or without filters", async () => {
    for (const query of [
      '',
      '?status=completed',
      '?status=processing',
      '?agent_type=code',
      '?page_size=100',
    ]) {
      const res = await http().get(`/v1/tasks${query}`).set(as(KEY_B)).expect(200);
      expect({ query, body: res.body, total: res.headers['x-total-count'] }).toEqual({
        query,
        body: [],
        total: '0',
      });
    }
    // Key A does see them.
    const own = await http().get('/v1/tasks').set(as(KEY_A)).expect(200);
    expect((own.body as Task[]).map((x) => x.task_id).sort()).toEqual(
      [finishedA.task_id, runningA.task_id].sort(),
    );
  });

  it("cannot stream key A's task events, by header or by query-parameter key", async () => {
    for (const task of [finishedA, runningA]) {
      await http().get(`/v1/tasks/${task.task_id}/events`).set(as(KEY_B)).expect(404);
      const res = await fetch(`${t.url}/v1/tasks/${task.task_id}/events?api_key=${KEY_B}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(A_MARKER);
    }
    // Key A streams its finished task, which replays and closes.
    const own = await fetch(`${t.url}/v1/tasks/${finishedA.task_id}/events?api_key=${KEY_A}`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('"status":"completed"');
  });

  it("cannot cancel key A's tasks, running or finished, and A's running task goes on", async () => {
    const unknown = await http()
      .post(`/v1/tasks/${randomUUID()}/cancel`)
      .set(as(KEY_B))
      .expect(404);
    for (const task of [runningA, finishedA]) {
      const res = await http().post(`/v1/tasks/${task.task_id}/cancel`).set(as(KEY_B)).expect(404);
      expect(res.body.error.code).toBe(unknown.body.error.code);
    }
    releaseRunning();
    const done = await waitStatus(KEY_A, runningA.task_id, ['completed', 'cancelled', 'failed']);
    expect(done.status).toBe('completed');
  });

  it("cannot read key A's session, and using its id starts B's own session without A's history", async () => {
    await http().get(`/v1/sessions/${finishedA.session_id}`).set(as(KEY_B)).expect(404);

    const text = 'Write a Python function that continues the conversation';
    const res = await http()
      .post('/v1/agent/execute')
      .set(as(KEY_B))
      .send({ task: text, session_id: finishedA.session_id })
      .expect(200);
    await waitStatus(KEY_B, res.body.task_id as string, ['completed']);
    // What B's task sent the LLM holds none of A's conversation.
    const calls = servers.llm.chatRequests().filter((r) => r.lastUserText.includes(text));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(JSON.stringify(call.body)).not.toContain(A_MARKER);

    const asB = await http().get(`/v1/sessions/${finishedA.session_id}`).set(as(KEY_B)).expect(200);
    expect(JSON.stringify(asB.body)).not.toContain(A_MARKER);
    expect(asB.body.messages.map((m: { content: string }) => m.content)).toContain(text);
    const asA = await http().get(`/v1/sessions/${finishedA.session_id}`).set(as(KEY_A)).expect(200);
    expect(JSON.stringify(asA.body)).not.toContain(text);
    expect(JSON.stringify(asA.body)).toContain(A_MARKER);
  });

  it("cannot replay key A's task with key A's Idempotency-Key", async () => {
    const body = { task: `Write a Python function, idempotently ${A_MARKER}` };
    const a = await http()
      .post('/v1/agent/execute')
      .set({ ...as(KEY_A), 'Idempotency-Key': 'shared-key-1' })
      .send(body)
      .expect(200);
    const b = await http()
      .post('/v1/agent/execute')
      .set({ ...as(KEY_B), 'Idempotency-Key': 'shared-key-1' })
      .send(body)
      .expect(200);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.task_id).not.toBe(a.body.task_id);
    expect(b.body.session_id).not.toBe(a.body.session_id);
  });

  it("counts none of key A's tasks in key B's usage", async () => {
    const res = await http().get('/v1/usage').set(as(KEY_B));
    if (res.status === 404 && res.body.error?.code === 'NOT_FOUND') return; // no /v1/usage in this build
    expect(res.status).toBe(200);
    const a = (await http().get('/v1/usage').set(as(KEY_A)).expect(200)).body as {
      totals: { tasks: number };
    };
    const b = res.body as { totals: { tasks: number }; api_key_id: string };
    const bTasks = (
      (await http().get('/v1/tasks?page_size=100').set(as(KEY_B)).expect(200)).body as Task[]
    ).length;
    expect(b.totals.tasks).toBe(bTasks);
    expect(a.totals.tasks).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(b)).not.toContain(A_MARKER);
  });

  it('answers 401 to every endpoint without a key', async () => {
    for (const [method, path] of [
      ['get', '/v1/tasks'],
      ['get', `/v1/tasks/${finishedA.task_id}`],
      ['get', `/v1/tasks/${finishedA.task_id}/events`],
      ['post', `/v1/tasks/${finishedA.task_id}/cancel`],
      ['get', `/v1/sessions/${finishedA.session_id}`],
      ['get', '/v1/agents'],
      ['post', '/v1/agent/execute'],
    ] as const) {
      const res = await http()
        [method](path)
        .send(method === 'post' ? { task: 'x' } : undefined);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
  });
});
