import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  isRouterRequest,
  type LlmServers,
  startLlmServers,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AppProcesses, settledAudit, waitUntilFinished } from '../../libs/testing/src/reliability';
import { processBackends } from './chaos-fixture';

const ACTIVE = 10;

const WORKER_ENV = {
  WORKER_CONCURRENCY: String(ACTIVE),
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  LLM_MAX_RETRIES: '0',
  QUEUE_RETRY_BACKOFF_MS: '200',
};

/**
 * SIGTERM to a worker holding 10 running jobs (each held mid-call at the LLM server): the jobs
 * finish before it exits, or, when they outlast SHUTDOWN_TIMEOUT_MS, another worker takes them.
 */
describe('a worker stopped with SIGTERM', () => {
  let servers: LlmServers;
  let api: TestApp;
  let db: Connection;

  beforeAll(async () => {
    servers = await startLlmServers();
    api = await createTestApp({ mode: 'api', backends: testBackends(), env: servers.env });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await api?.close();
    await servers?.close();
  });

  /** Submits `count` tasks whose agent call is held at the LLM server until released. */
  async function submitHeld(label: string, count: number) {
    const holds = Array.from({ length: count }, (_, i) => {
      const text = `Write a Python function for the ${label} shutdown case ${i}`;
      return {
        text,
        hold: servers.llm.holdNext((r) => !isRouterRequest(r) && r.lastUserText.includes(text)),
      };
    });
    const taskIds: string[] = [];
    for (const { text } of holds) {
      const res = await request(api.app.getHttpServer())
        .post('/v1/agent/execute')
        .send({ task: text })
        .expect(200);
      taskIds.push(res.body.task_id as string);
    }
    return { taskIds, holds: holds.map((h) => h.hold) };
  }

  it('lets its 10 active jobs finish before it exits 0', async () => {
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
    });
    try {
      const worker = await processes.start('worker', { SHUTDOWN_TIMEOUT_MS: '60000' });
      const { taskIds, holds } = await submitHeld('patient', ACTIVE);
      await Promise.all(holds.map((h) => h.reached));

      worker.kill('SIGTERM');
      await waitFor(
        () => worker.stdout().includes('SIGTERM received'),
        'the worker to start shutting down',
      );
      // The worker is shutting down with all ten jobs still in flight: now let them answer.
      expect(worker.alive()).toBe(true);
      holds.forEach((h) => h.release());

      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(worker.stdout()).toContain('Shutdown complete');
      const audit = await settledAudit(db, taskIds);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: ACTIVE });
    } finally {
      await processes.killAll();
    }
  }, 120_000);

  it('hands its 10 active jobs to another worker when they outlast SHUTDOWN_TIMEOUT_MS', async () => {
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
    });
    try {
      const leaving = await processes.start('worker', { SHUTDOWN_TIMEOUT_MS: '1500' });
      const { taskIds, holds } = await submitHeld('impatient', ACTIVE);
      await Promise.all(holds.map((h) => h.reached));
      const staying = await processes.start('worker', { SHUTDOWN_TIMEOUT_MS: '60000' });

      leaving.kill('SIGTERM');
      expect(await leaving.exited).toEqual({ code: 1, signal: null });
      expect(leaving.stdout()).toContain('Shutdown did not finish within 1500 ms');
      // Its calls were cut when it exited; the other worker runs the tasks afresh.
      holds.forEach((h) => h.release());

      await waitUntilFinished(db, taskIds, 60_000);
      const audit = await settledAudit(db, taskIds);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: ACTIVE });
      expect(staying.alive()).toBe(true);
    } finally {
      await processes.killAll();
    }
  }, 120_000);
});
