import { type OpenAiTestServer, type TestApp, waitFor } from '@agent-orchestrator/testing';
import { EventSource } from 'eventsource';
import request from 'supertest';
import { taskStreamKey } from '../../src/events/task-event-stream';
import { RedisConnections } from '../../src/redis/redis-connections';
import { type Pipeline, startPipeline, waitForStatus } from '../tasks/pipeline-fixture';

const KEY = 'sse-endings-key-123';
const MAX_STREAMS = 3;

/** An EventSource that keeps reconnecting as a browser would, recording every answer it got. */
function browserLike(url: string, lastEventId?: string) {
  const answers: number[] = [];
  const messages: { id: string; data: Record<string, unknown> }[] = [];
  const source = new EventSource(url, {
    fetch: async (input, init) => {
      const res = await fetch(input, {
        ...init,
        headers: {
          ...init.headers,
          'X-API-Key': KEY,
          ...(lastEventId && answers.length === 0 ? { 'Last-Event-ID': lastEventId } : {}),
        },
      });
      answers.push(res.status);
      return res;
    },
  });
  source.onmessage = (e: MessageEvent<string>) =>
    messages.push({ id: e.lastEventId, data: JSON.parse(e.data) as Record<string, unknown> });
  return { source, answers, messages };
}

/**
 * The event stream always ends, for a real EventSource client (the `eventsource` package):
 * after the final event it stops reconnecting, an id at or past the final event is answered
 * with that event, an impossible id is refused before any stream byte, and streams per key are
 * capped.
 */
describe('SSE: every stream ends', () => {
  let pipeline: Pipeline;
  let llm: OpenAiTestServer;
  let t: TestApp;

  beforeAll(async () => {
    pipeline = await startPipeline({
      mode: 'all',
      listen: true,
      env: {
        API_KEYS: KEY,
        SSE_HEARTBEAT_MS: '200',
        SSE_MAX_STREAMS_PER_KEY: String(MAX_STREAMS),
      },
    });
    ({ llm, t } = pipeline);
  });
  afterAll(() => pipeline.close());

  const finishedTask = async (): Promise<string> => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .set('X-API-Key', KEY)
      .send({ task: 'Write a Python function to add numbers' })
      .expect(200);
    const taskId = res.body.task_id as string;
    await waitForStatus(t, taskId, ['completed'], { 'X-API-Key': KEY });
    return taskId;
  };
  const eventsUrl = (taskId: string) => `${t.url}/v1/tasks/${taskId}/events`;
  const finalEntryId = async (taskId: string): Promise<string> => {
    const [entry] = (await t.app
      .get(RedisConnections)
      .commands.xrevrange(taskStreamKey(taskId), '+', '-', 'COUNT', 1)) as [string, string[]][];
    return entry[0];
  };

  it('stops EventSource reconnecting after the final event: the reconnect answers 204', async () => {
    const taskId = await finishedTask();
    const client = browserLike(eventsUrl(taskId));
    await waitFor(
      () => client.source.readyState === EventSource.CLOSED,
      'EventSource to stop',
      20_000,
    );
    expect(client.answers).toEqual([200, 204]);
    const statuses = client.messages.map((m) => m.data.status);
    expect(statuses).toEqual(['queued', 'processing', 'completed']);
  });

  it('answers a Last-Event-ID at the final event with the final event, then 204', async () => {
    const taskId = await finishedTask();
    const client = browserLike(eventsUrl(taskId), await finalEntryId(taskId));
    await waitFor(
      () => client.source.readyState === EventSource.CLOSED,
      'EventSource to stop',
      20_000,
    );
    expect(client.answers).toEqual([200, 204]);
    expect(client.messages.map((m) => m.data.status)).toEqual(['completed']);
  });

  it('answers a Last-Event-ID past the end of a finished stream with the final event, then 204', async () => {
    const taskId = await finishedTask();
    const client = browserLike(eventsUrl(taskId), '9999999999999-0');
    await waitFor(
      () => client.source.readyState === EventSource.CLOSED,
      'EventSource to stop',
      20_000,
    );
    expect(client.answers).toEqual([200, 204]);
    expect(client.messages.map((m) => m.data.status)).toEqual(['completed']);
  });

  it('refuses an id Redis cannot hold (a part above 2^64 - 1) with 422, as header or query, before any stream byte', async () => {
    const taskId = await finishedTask();
    for (const [header, query] of [
      ['99999999999999999999-0', ''],
      ['', '?last_event_id=99999999999999999999-0'],
      ['1-18446744073709551616', ''],
      ['not-an-id', ''],
    ]) {
      const res = await fetch(`${eventsUrl(taskId)}${query}`, {
        headers: { 'X-API-Key': KEY, ...(header ? { 'Last-Event-ID': header } : {}) },
      });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'VALIDATION_ERROR',
      );
    }
    const largest = await fetch(eventsUrl(taskId), {
      headers: { 'X-API-Key': KEY, 'Last-Event-ID': '18446744073709551615-18446744073709551615' },
    });
    expect(largest.status).toBe(200);
    await largest.text();
  });

  it(`caps open streams per key at SSE_MAX_STREAMS_PER_KEY (${MAX_STREAMS}): one more is 429 in the envelope`, async () => {
    const text = 'Write a Python function that keeps its streams open';
    const hold = llm.holdNext((r) => JSON.stringify(r.body).includes(text));
    const res = await request(t.app.getHttpServer())
      .post('/v1/agent/execute')
      .set('X-API-Key', KEY)
      .send({ task: text })
      .expect(200);
    const taskId = res.body.task_id as string;
    const open = Array.from({ length: MAX_STREAMS }, () => browserLike(eventsUrl(taskId)));
    try {
      await waitFor(() => open.every((c) => c.answers[0] === 200), 'the streams to open');
      const refused = await fetch(eventsUrl(taskId), { headers: { 'X-API-Key': KEY } });
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({
        error: { code: 'RATE_LIMIT_EXCEEDED', details: { max_streams: MAX_STREAMS } },
      });
      // Closing one frees its place.
      open[0].source.close();
      await waitFor(async () => {
        const again = await fetch(eventsUrl(taskId), { headers: { 'X-API-Key': KEY } });
        const ok = again.status === 200;
        await again.body?.cancel();
        return ok;
      }, 'a place to free up');
    } finally {
      hold.release();
      open.forEach((c) => c.source.close());
    }
  });
});
