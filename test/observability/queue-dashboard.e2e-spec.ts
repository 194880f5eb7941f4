import { getConnectionToken } from '@nestjs/mongoose';
import { createTestApp, type TestApp, waitFor } from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';

const ADMIN_KEY = 'dashboard-admin-key';
const USER_KEY = 'dashboard-user-key';
const basic = (password: string): string =>
  `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`;

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
  jobs: { id: string; failedReason?: string; data: { task_id: string } }[];
}

describe('queue dashboard (Bull Board) at /admin/queues', () => {
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    t = await createTestApp({
      mode: 'all',
      env: {
        BULL_BOARD_ENABLED: 'true',
        ADMIN_API_KEYS: ADMIN_KEY,
        API_KEYS: USER_KEY,
        // No LLM: every task fails permanently (LLM_NOT_CONFIGURED), leaving a failed job.
        OPENAI_API_KEY: undefined,
        OPENAI_BASE_URL: undefined,
      },
    });
    db = t.app.get<Connection>(getConnectionToken());
  });
  afterAll(() => t.close());

  const http = () => request(t.app.getHttpServer());

  it('refuses callers without an admin key', async () => {
    const none = await http().get('/admin/queues/api/queues').expect(401);
    expect(none.body.error.code).toBe('HTTP_ERROR');
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const user = await http()
      .get('/admin/queues/api/queues')
      .set('X-API-Key', USER_KEY)
      .expect(403);
    expect(user.body.error.code).toBe('FORBIDDEN');
    await http().get('/admin/queues').set('Authorization', basic(USER_KEY)).expect(401);
    await http().get('/admin/queues').expect(401);
    expect(t.logs.text()).not.toContain(USER_KEY);
  });

  it('lists a failed job for an admin, and a retry through it leaves the finished task unchanged', async () => {
    const accepted = await http()
      .post('/v1/agent/execute')
      .set('X-API-Key', USER_KEY)
      .send({ task: 'Write a Python hello world' })
      .expect(200);
    const taskId = accepted.body.task_id as string;
    const queue = t.app.get<Queue>(getQueueToken(TASK_QUEUE));
    await waitFor(async () => (await queue.getJob(taskId))?.failedReason, 'the job to fail');
    const failed = await db
      .collection('tasks')
      .findOne({ task_id: taskId }, { projection: { _id: 0 } });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'LLM_NOT_CONFIGURED' } });

    const board = await http()
      .get('/admin/queues/api/queues')
      .query({ activeQueue: 'agent_tasks', status: 'failed' })
      .set('X-API-Key', ADMIN_KEY)
      .expect(200);
    const queues = board.body.queues as BoardQueue[];
    expect(queues.map((q) => q.name).sort()).toEqual(['agent_tasks', 'webhooks']);
    const tasksQueue = queues.find((q) => q.name === 'agent_tasks')!;
    expect(tasksQueue.counts.failed).toBe(1);
    expect(tasksQueue.jobs).toEqual([
      expect.objectContaining({
        id: taskId,
        data: { task_id: taskId, new_session: true },
        failedReason: expect.stringContaining('LLM_NOT_CONFIGURED') as string,
      }),
    ]);
    // Browsers sign in with HTTP Basic: the key is the password.
    const page = await http()
      .get('/admin/queues')
      .set('Authorization', basic(ADMIN_KEY))
      .expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);

    await http()
      .put(`/admin/queues/api/queues/agent_tasks/${encodeURIComponent(taskId)}/retry`)
      .set('X-API-Key', ADMIN_KEY)
      .expect(204);
    // The worker runs the job again: the runner finds the task finished and does nothing.
    await waitFor(
      async () =>
        (await queue.getJob(taskId))?.finishedOn !== undefined &&
        (await queue.getJob(taskId))?.isCompleted(),
      'the retried job to complete',
    );
    const after = await db
      .collection('tasks')
      .findOne({ task_id: taskId }, { projection: { _id: 0 } });
    expect(after).toEqual(failed);
    expect(t.logs.text()).not.toContain(ADMIN_KEY);
  });
});

describe('queue dashboard switched off', () => {
  it('does not exist unless BULL_BOARD_ENABLED=true', async () => {
    const t = await createTestApp({ mode: 'api', env: { ADMIN_API_KEYS: ADMIN_KEY } });
    try {
      const res = await request(t.app.getHttpServer())
        .get('/admin/queues/api/queues')
        .set('X-API-Key', ADMIN_KEY)
        .expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});
