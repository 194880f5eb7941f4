import { type OpenAiTestServer, type TestApp, waitFor } from '@agent-orchestrator/testing';
import request from 'supertest';
import { type Pipeline, startPipeline, waitForStatus } from '../tasks/pipeline-fixture';
import { listen, statuses } from './sse-client';

const KEY = 'sse-test-key-123';

describe('GET /v1/tasks/:task_id/events', () => {
  let pipeline: Pipeline;
  let llm: OpenAiTestServer;
  let t: TestApp;

  beforeAll(async () => {
    pipeline = await startPipeline({
      mode: 'all',
      listen: true,
      env: { API_KEYS: KEY, SSE_HEARTBEAT_MS: '200' },
    });
    ({ llm, t } = pipeline);
  });
  afterAll(() => pipeline.close());

  const submit = async (body: object): Promise<string> =>
    (
      await request(t.app.getHttpServer())
        .post('/v1/agent/execute')
        .set('X-API-Key', KEY)
        .send(body)
        .expect(200)
    ).body.task_id;
  const eventsUrl = (taskId: string, query = '') => `${t.url}/v1/tasks/${taskId}/events${query}`;

  it('streams queued → processing → completed to onmessage and the named events to their listeners, then closes', async () => {
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes('stream me live'));
    const taskId = await submit({
      task: 'Write a blog post: stream me live',
      agent: 'ContentAgent',
    });
    const client = listen(eventsUrl(taskId), { apiKey: KEY });
    await hold.reached;
    hold.release();
    await client.finished;
    expect(statuses(client.events)).toEqual(['queued', 'processing', 'completed']);
    const types = client.events.map((e) => e.type);
    for (const named of ['agent_started', 'delta', 'agent_finished', 'usage'])
      expect(types).toContain(named);
    expect(types.indexOf('agent_started')).toBeLessThan(types.indexOf('delta'));
    expect(types.lastIndexOf('delta')).toBeLessThan(types.indexOf('agent_finished'));
    const final = client.events[client.events.length - 1];
    expect(final.data).toMatchObject({
      task_id: taskId,
      status: 'completed',
      agent: 'ContentAgent',
    });
    const ids = client.events.map((e) => e.id);
    expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const text = client.events
      .filter((e) => e.type === 'delta')
      .map((e) => e.data.text)
      .join('');
    const task = await waitForStatus(t, taskId, ['completed'], { 'X-API-Key': KEY });
    // Deltas carry the text as the model writes it; the stored result is that text after the
    // citation check (a model-written source list is replaced by the validated References).
    expect(text.startsWith(task.result!.raw_output.slice(0, 200))).toBe(true);
  });

  it('replays everything to a subscriber that connects after completion (key in the query string)', async () => {
    const taskId = await submit({ task: 'Write a Python function to add numbers' });
    await waitForStatus(t, taskId, ['completed'], { 'X-API-Key': KEY });
    const client = listen(eventsUrl(taskId, `?api_key=${KEY}`));
    await client.finished;
    expect(statuses(client.events)).toEqual(['queued', 'processing', 'completed']);
    expect(client.events.map((e) => e.type)).toContain('routing');
    expect(t.logs.text()).not.toContain(KEY);
  });

  it('gives a client that reconnects with Last-Event-ID exactly the events it missed', async () => {
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes('reconnect midway'));
    const taskId = await submit({
      task: 'Write an article: reconnect midway',
      agent: 'ContentAgent',
    });
    const first = listen(eventsUrl(taskId), { apiKey: KEY });
    await hold.reached;
    await waitFor(() => first.events.some((e) => e.type === 'agent_started'), 'agent_started');
    first.source.close();
    const seen = [...first.events];
    hold.release();
    await waitForStatus(t, taskId, ['completed'], { 'X-API-Key': KEY });

    const second = listen(eventsUrl(taskId), {
      apiKey: KEY,
      lastEventId: seen[seen.length - 1].id,
    });
    await second.finished;
    const everything = listen(eventsUrl(taskId), { apiKey: KEY });
    await everything.finished;
    expect([...seen, ...second.events].map((e) => e.id)).toEqual(
      everything.events.map((e) => e.id),
    );
  });

  it('answers 204 to a reconnect after the final event, and the final event to an id past it', async () => {
    const taskId = await submit({ task: 'Write a Python function to add numbers' });
    await waitForStatus(t, taskId, ['completed'], { 'X-API-Key': KEY });
    const all = listen(eventsUrl(taskId), { apiKey: KEY });
    await all.finished;
    const finalId = all.events[all.events.length - 1].id;
    const after = await fetch(eventsUrl(taskId), {
      headers: { 'X-API-Key': KEY, 'Last-Event-ID': finalId },
    });
    expect(after.status).toBe(204);
    expect(await after.text()).toBe('');
    // An id past the final event was never sent by us: the final event again, then the end.
    const past = await fetch(eventsUrl(taskId), {
      headers: { 'X-API-Key': KEY, 'Last-Event-ID': '9999999999999999999-0' },
    });
    expect(past.status).toBe(200);
    const body = await past.text();
    expect(body).toContain(`id: ${finalId}\n`);
    expect(body.match(/"status":"completed"/g)).toHaveLength(1);
  });

  it('resumes a client whose Last-Event-ID is past the newest event from the newest event', async () => {
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes('future id'));
    const taskId = await submit({ task: 'Write an article: future id', agent: 'ContentAgent' });
    await hold.reached;
    const client = listen(eventsUrl(taskId), { apiKey: KEY, lastEventId: '9999999999999-0' });
    await waitFor(() => client.source.readyState === client.source.OPEN, 'the stream to open');
    hold.release();
    await client.finished;
    expect(statuses(client.events)).toEqual(['completed']);
  });

  it('gives every subscriber that joins while events flow each event once, in order, with no gap', async () => {
    // Slow streaming: deltas keep arriving while subscribers join one after another.
    llm.when((r) => JSON.stringify(r.body).includes('join while flowing'), {
      content: 'word '.repeat(120),
      chunkDelayMs: 5,
    });
    const taskId = await submit({
      task: 'Write an article: join while flowing',
      agent: 'ContentAgent',
    });
    const clients = [];
    for (let i = 0; i < 30; i++) {
      clients.push(listen(eventsUrl(taskId), { apiKey: KEY }));
      await new Promise((r) => setTimeout(r, 15));
    }
    await Promise.all(clients.map((c) => c.finished));
    for (const client of clients) {
      const seqs = client.events.map((e) => e.data.seq as number);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(statuses(client.events)).toEqual(['queued', 'processing', 'completed']);
    }
  });

  it('sends heartbeats while the task waits', async () => {
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes('heartbeat wait'));
    const taskId = await submit({
      task: 'Write an article: heartbeat wait',
      agent: 'ContentAgent',
    });
    await hold.reached;
    const res = await fetch(eventsUrl(taskId), { headers: { 'X-API-Key': KEY } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(': keep-alive'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(text.startsWith('retry: 2000\n\n')).toBe(true);
    await reader.cancel();
    hold.release();
  });

  it('answers 401 and 404 as JSON envelopes before any stream bytes', async () => {
    const taskId = await submit({ task: 'Write a haiku about queues', agent: 'ContentAgent' });
    const noKey = await fetch(eventsUrl(taskId));
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('content-type')).toMatch(/application\/json/);
    expect(await noKey.json()).toEqual({
      error: { code: 'HTTP_ERROR', message: 'Missing API key.' },
    });
    const unknown = await fetch(eventsUrl('no-such-task'), { headers: { 'X-API-Key': KEY } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
      'TASK_NOT_FOUND',
    );
    const badId = await fetch(eventsUrl(taskId, '?last_event_id=abc'), {
      headers: { 'X-API-Key': KEY },
    });
    expect(badId.status).toBe(422);
  });
});
