import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  type LlmServers,
  startLlmServers,
  type TestApp,
  testBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import {
  type AppProcess,
  AppProcesses,
  settledAudit,
  chaosSeed,
  waitUntilFinished,
} from '../../libs/testing/src/reliability';
import { RedisConnections } from '../../src/redis/redis-connections';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';
import { chaosTaskText, processBackends, sleep } from './chaos-fixture';
import { taskStreamKey } from '../../src/events/task-event-stream';

const TASKS = 100;
const KILLS = 20;
const WORKERS = 2;

/** Short locks so a dead worker's jobs come back quickly; a job may stall as often as it takes. */
const WORKER_ENV = {
  WORKER_CONCURRENCY: '3',
  QUEUE_LOCK_DURATION_MS: '2000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  QUEUE_MAX_STALLED_COUNT: '100',
  QUEUE_RETRY_BACKOFF_MS: '200',
  RECONCILE_INTERVAL_MS: '2000',
  RECONCILE_QUEUED_AFTER_MS: '15000',
  LLM_MAX_RETRIES: '0',
};

interface Slot {
  ready: Promise<AppProcess>;
  /** When the worker answered its health check; undefined while it boots. */
  upSince?: number;
}

function startSlot(processes: AppProcesses): Slot {
  const slot: Slot = { ready: processes.start('worker') };
  void slot.ready.then(() => (slot.upSince = Date.now())).catch(() => undefined);
  return slot;
}

describe('workers SIGKILLed mid-task', () => {
  let servers: LlmServers;
  let api: TestApp;
  let db: Connection;

  beforeAll(async () => {
    // Each LLM call takes a while, so that a kill always finds tasks in flight.
    servers = await startLlmServers({ latencyMs: 300 });
    api = await createTestApp({ mode: 'api', backends: testBackends(), env: servers.env });
    db = api.app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await api?.close();
    await servers?.close();
  });

  it(`completes each of ${TASKS} tasks exactly once while ${KILLS} workers are killed at random points`, async () => {
    const random = chaosSeed('worker crash');
    const processes = new AppProcesses(processBackends(api.backends), {
      ...servers.env,
      ...WORKER_ENV,
    });
    const queue = api.app.get<Queue>(getQueueToken(TASK_QUEUE));
    try {
      // Each slot holds a worker; `up` is set once it answers its health check.
      const slots = Array.from({ length: WORKERS }, () => startSlot(processes));
      await Promise.all(slots.map((s) => s.ready));

      const texts = Array.from({ length: TASKS }, (_, n) => chaosTaskText(random, n));
      const taskIds: string[] = [];
      for (let i = 0; i < texts.length; i += 10) {
        const batch = await Promise.all(
          texts
            .slice(i, i + 10)
            .map((task) =>
              request(api.app.getHttpServer()).post('/v1/agent/execute').send({ task }).expect(200),
            ),
        );
        taskIds.push(...batch.map((res) => res.body.task_id as string));
      }

      const started = Date.now();
      let killedWithWork = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        // A random worker among those up (one still booting holds no task), killed at a random
        // point of its life, late enough to have claimed tasks.
        if (!slots.some((s) => s.upSince)) await Promise.race(slots.map((s) => s.ready));
        const slot = random.pick(slots.filter((s) => s.upSince));
        const victim = await slot.ready;
        await sleep(Math.max(0, slot.upSince! + random.int(500, 2500) - Date.now()));
        if ((await queue.getActiveCount()) > 0) killedWithWork += 1;
        victim.kill('SIGKILL');
        await victim.exited;
        slots[slots.indexOf(slot)] = startSlot(processes);
      }
      const killPhaseMs = Date.now() - started;
      await Promise.all(slots.map((s) => s.ready));

      await waitUntilFinished(db, taskIds, 240_000);
      const audit = await settledAudit(db, taskIds);
      expect(audit.problems).toEqual([]);
      expect(audit.byStatus).toEqual({ completed: TASKS });

      // The kills did interrupt tasks: they were claimed by a worker again after one died.
      const redis = api.app.get(RedisConnections).commands;
      let reclaimed = 0;
      let interruptions = 0;
      for (const id of taskIds) {
        const entries = (await redis.xrange(taskStreamKey(id), '-', '+')) as [string, string[]][];
        const claims = entries.filter(([, fields]) =>
          fields[1]?.includes('"status":"processing"'),
        ).length;
        if (claims > 1) reclaimed += 1;
        interruptions += Math.max(0, claims - 1);
      }
      const cut = servers.llm.requests.filter((r) => r.aborted).length;
      process.stdout.write(
        `[reliability] worker crash: ${KILLS} kills in ${killPhaseMs} ms (${killedWithWork} with jobs active), ${interruptions} claims cut short by a kill (over ${reclaimed} tasks), ${cut} LLM calls cut, ${processes.spawned.length} workers spawned, all done after ${Date.now() - started} ms\n`,
      );
      expect(killedWithWork).toBeGreaterThan(0);
      expect(reclaimed).toBeGreaterThan(0);
      // No job is left behind in the queue either.
      await waitFor(
        async () => (await queue.getActiveCount()) + (await queue.getWaitingCount()) === 0,
        'an empty queue',
      );
    } finally {
      await processes.killAll();
    }
  }, 420_000);
});
