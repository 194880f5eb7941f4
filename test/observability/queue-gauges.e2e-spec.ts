import {
  createTestApp,
  type ServiceProcess,
  startRedisServer,
  type TestApp,
  testBackends,
} from '@agent-orchestrator/testing';
import request from 'supertest';
import { QueueJobsCollector } from '../../src/metrics/queue-jobs.collector';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';
import { PROCESS_TASK_JOB } from '../../src/tasks/task-queue';
import { PrometheusText } from './prometheus-text';

const MINUTE = 60_000;

/** The queue gauges of an API process (nothing consumes its queue), on a Redis of its own. */
describe('queue gauges, read from Redis in the background', () => {
  let redis: ServiceProcess;
  let t: TestApp;

  beforeAll(async () => {
    const owned = await startRedisServer();
    redis = owned.process;
    t = await createTestApp({
      mode: 'api',
      backends: { ...testBackends(), redisUrl: owned.url },
      env: { REDIS_URL: owned.url },
    });
  });
  afterAll(async () => {
    if (redis?.pid) process.kill(redis.pid, 'SIGCONT');
    await t?.close();
    await redis?.stop();
  });

  const scrape = async () =>
    new PrometheusText((await request(t.app.getHttpServer()).get('/metrics').expect(200)).text);

  it('reports the jobs waiting and how long the oldest of them has waited', async () => {
    const queue = t.app.get<Queue>(getQueueToken(TASK_QUEUE));
    await queue.add(PROCESS_TASK_JOB, { task_id: 'old' }, { timestamp: Date.now() - 10 * MINUTE });
    await queue.add(PROCESS_TASK_JOB, { task_id: 'new' });
    await t.app.get(QueueJobsCollector).refresh();
    const metrics = await scrape();
    expect(metrics.value('agent_orchestrator_queue_jobs', { state: 'waiting' })).toBe(2);
    const oldest = metrics.value('agent_orchestrator_queue_oldest_waiting_seconds');
    expect(oldest).toBeGreaterThanOrEqual(600);
    expect(oldest).toBeLessThan(3600);
  });

  it('answers a scrape from memory while Redis does not answer', async () => {
    const collector = t.app.get(QueueJobsCollector);
    await collector.refresh();
    process.kill(redis.pid!, 'SIGSTOP');
    let readDone = false;
    const read = collector.refresh().then(() => (readDone = true));
    try {
      const metrics = await scrape();
      // The read is still waiting on the frozen Redis; the scrape was served without it.
      expect(readDone).toBe(false);
      expect(metrics.value('agent_orchestrator_queue_jobs', { state: 'waiting' })).toBe(2);
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
    await read;
  });
});
