import {
  isRouterRequest,
  type LlmServers,
  startLlmServers,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import { EventSource } from 'eventsource';
import { AppProcesses } from '../../libs/testing/src/reliability';
import { processBackends } from '../reliability/chaos-fixture';

const STREAMS = 50;

interface Subscriber {
  source: EventSource;
  seqs: number[];
  statuses: unknown[];
  ends: number;
}

/**
 * SIGTERM on an api with 50 open event streams: it stops accepting, ends every stream with a
 * last comment, and exits 0 well inside SHUTDOWN_TIMEOUT_MS. Each EventSource reconnects, to a
 * second api process, with its Last-Event-ID, and receives the rest with no gap in `seq`.
 */
describe('an api stopped with SIGTERM while 50 event streams are open', () => {
  let servers: LlmServers;

  beforeAll(async () => {
    servers = await startLlmServers();
  });
  afterAll(async () => {
    await servers?.close();
  });

  it('exits 0, ends every stream, and the clients resume on another api without a gap in seq', async () => {
    const processes = new AppProcesses(processBackends(testBackends()), {
      ...servers.env,
      SHUTDOWN_TIMEOUT_MS: '20000',
      SSE_HEARTBEAT_MS: '1000',
      LLM_MAX_RETRIES: '0',
    });
    const texts = Array.from(
      { length: STREAMS },
      (_, i) => `Write a Python function that outlives its api (${i})`,
    );
    const holds = texts.map((text) =>
      servers.llm.holdNext((r) => !isRouterRequest(r) && r.lastUserText.includes(text)),
    );
    const subscribers: Subscriber[] = [];
    try {
      const [leaving, staying] = await Promise.all([
        processes.start('api'),
        processes.start('api'),
      ]);
      await processes.start('worker', { WORKER_CONCURRENCY: String(STREAMS) });
      // Each client talks to `base`: the leaving api first, the staying one once it is gone.
      let base = leaving.base;
      const taskIds: string[] = [];
      for (const task of texts) {
        const res = await fetch(`${base}/v1/agent/execute`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ task }),
        });
        expect(res.status).toBe(200);
        taskIds.push(((await res.json()) as { task_id: string }).task_id);
      }
      for (const taskId of taskIds) {
        const subscriber: Subscriber = {
          source: new EventSource(`${leaving.base}/v1/tasks/${taskId}/events`, {
            fetch: (input, init) => fetch(String(input).replace(leaving.base, base), init),
          }),
          seqs: [],
          statuses: [],
          ends: 0,
        };
        const record = (e: MessageEvent<string>) => {
          const data = JSON.parse(e.data) as { seq: number; status?: string };
          subscriber.seqs.push(data.seq);
          if (e.type === 'message') subscriber.statuses.push(data.status);
        };
        subscriber.source.onmessage = record;
        for (const name of ['routing', 'agent_started', 'agent_finished', 'delta', 'usage'])
          subscriber.source.addEventListener(name, record);
        subscriber.source.onerror = () => subscriber.ends++;
        subscribers.push(subscriber);
      }
      await Promise.all(holds.map((h) => h.reached));
      await waitFor(
        () => subscribers.every((s) => s.statuses.includes('processing')),
        'every stream to show its task processing',
      );

      leaving.kill('SIGTERM');
      expect(await leaving.exited).toEqual({ code: 0, signal: null });
      expect(leaving.stdout()).toContain('Shutdown complete');
      await waitFor(() => subscribers.every((s) => s.ends > 0), 'every stream to end');

      base = staying.base;
      holds.forEach((h) => h.release());
      await waitFor(
        () => subscribers.every((s) => s.statuses.includes('completed')),
        'every client to see its task complete, from the other api',
        60_000,
      );
      for (const s of subscribers) {
        // seq numbers a task's events 1, 2, 3, ...: a client that missed or repeated one shows it.
        expect(s.seqs).toEqual(Array.from({ length: s.seqs.length }, (_, i) => i + 1));
        expect(s.statuses[0]).toBe('queued');
        expect(s.statuses[s.statuses.length - 1]).toBe('completed');
      }
    } finally {
      subscribers.forEach((s) => s.source.close());
      holds.forEach((h) => h.release());
      await processes.killAll();
    }
  }, 180_000);
});
