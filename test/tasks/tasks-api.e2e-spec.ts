import { type TestApp, testRedisClient } from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { RedisConnections } from '../../src/redis/redis-connections';
import { type Pipeline, startPipeline } from './pipeline-fixture';

const KEY_A = 'key-a-0123456789';
const KEY_B = 'key-b-0123456789';

/** The API alone (no worker), so accepted tasks stay queued and every assertion is deterministic. */
describe('tasks API', () => {
  let pipeline: Pipeline;
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    pipeline = await startPipeline({
      mode: 'api',
      env: { API_KEYS: `${KEY_A},${KEY_B}`, MAX_TASK_CHARS: '100' },
    });
    ({ t, db } = pipeline);
  });
  afterAll(() => pipeline.close());

  const http = () => request(t.app.getHttpServer());
  const submit = (key: string, body: object) =>
    http().post('/v1/agent/execute').set('X-API-Key', key).send(body);

  describe('POST /v1/agent/execute', () => {
    it('refuses a request without a key with 401 and stores nothing', async () => {
      await http().post('/v1/agent/execute').send({ task: 'x' }).expect(401);
      expect(await db.collection('tasks').countDocuments()).toBe(0);
    });

    it.each([
      ['an empty task', { task: '' }, 'task'],
      ['a blank task', { task: '   \n ' }, 'task'],
      ['a task over MAX_TASK_CHARS', { task: 'x'.repeat(101) }, 'task'],
      ['a non-string task', { task: 42 }, 'task'],
      ['a missing task', {}, 'task'],
      ['a session id with bad characters', { task: 'x', session_id: '../etc' }, 'session_id'],
      [
        'a session id over 128 characters',
        { task: 'x', session_id: 'a'.repeat(129) },
        'session_id',
      ],
      ['an unknown agent', { task: 'x', agent: 'WeatherAgent' }, 'agent'],
      ['nested metadata', { task: 'x', metadata: { a: { b: 1 } } }, 'metadata'],
      ['metadata over 4 KB', { task: 'x', metadata: { a: 'y'.repeat(5000) } }, 'metadata'],
      ['an unknown field', { task: 'x', priority: 'high' }, 'priority'],
    ])(
      'answers 422 VALIDATION_ERROR for %s, naming the field, and stores nothing',
      async (_name, body, field) => {
        const before = await db.collection('tasks').countDocuments();
        const res = await submit(KEY_A, body).expect(422);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
        expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toContain(
          field,
        );
        expect(await db.collection('tasks').countDocuments()).toBe(before);
      },
    );

    it('lists the registered agents when the agent is unknown', async () => {
      const res = await submit(KEY_A, { task: 'x', agent: 'Nope' }).expect(422);
      expect(res.body.error.details[0].message).toMatch(
        /ContentAgent.*CodeAgent|CodeAgent.*ContentAgent/,
      );
    });

    it('stores the task as queued with its metadata, the user message and the session', async () => {
      const res = await submit(KEY_A, {
        task: 'Explain CRDTs',
        session_id: 'sess_A-1',
        metadata: { ticket: 'OPS-1' },
      })
        .set('User-Agent', 'pipeline-test/1.0')
        .expect(200);
      expect(res.body.session_id).toBe('sess_A-1');
      const task = await db.collection('tasks').findOne({ task_id: res.body.task_id });
      expect(task).toMatchObject({
        status: 'queued',
        input_text: 'Explain CRDTs',
        metadata: {
          user_agent: 'pipeline-test/1.0',
          client: { ticket: 'OPS-1' },
          api_key_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        },
      });
      expect(JSON.stringify(task)).not.toContain(KEY_A);
      expect(
        await db.collection('messages').countDocuments({ task_id: res.body.task_id, role: 'user' }),
      ).toBe(1);
      expect(await db.collection('sessions').countDocuments({ session_id: 'sess_A-1' })).toBe(1);
    });
  });

  describe('GET /v1/tasks', () => {
    let ids: string[];
    beforeAll(async () => {
      ids = [];
      for (let i = 0; i < 5; i++)
        ids.push((await submit(KEY_B, { task: `list me ${i}` }).expect(200)).body.task_id);
      // One finished task of each agent type, as a worker would leave them.
      await db
        .collection('tasks')
        .updateOne(
          { task_id: ids[0] },
          { $set: { status: 'completed', agent_type: 'code', selected_agent: 'CodeAgent' } },
        );
      await db
        .collection('tasks')
        .updateOne(
          { task_id: ids[1] },
          { $set: { status: 'failed', agent_type: 'content', selected_agent: 'ContentAgent' } },
        );
    });

    it('lists only the caller’s tasks, newest first, with paging headers', async () => {
      const res = await http()
        .get('/v1/tasks?page=1&page_size=2')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(res.body.map((t: { task_id: string }) => t.task_id)).toEqual([ids[4], ids[3]]);
      expect(res.headers['x-total-count']).toBe('5');
      expect(res.headers.link).toBe('</v1/tasks?page=2&page_size=2>; rel="next"');
      expect(Object.keys(res.body[0]).sort()).toEqual(
        [
          'agent_type',
          'completed_at',
          'created_at',
          'selected_agent',
          'status',
          'summary',
          'task_id',
        ].sort(),
      );

      const middle = await http()
        .get('/v1/tasks?page=2&page_size=2')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(middle.headers.link).toBe(
        '</v1/tasks?page=3&page_size=2>; rel="next", </v1/tasks?page=1&page_size=2>; rel="prev"',
      );
    });

    it('filters by status and agent_type', async () => {
      const completed = await http()
        .get('/v1/tasks?status=completed')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(completed.body.map((t: { task_id: string }) => t.task_id)).toEqual([ids[0]]);
      const content = await http()
        .get('/v1/tasks?agent_type=content')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(content.body.map((t: { task_id: string }) => t.task_id)).toEqual([ids[1]]);
      const queued = await http()
        .get('/v1/tasks?status=queued&page_size=100')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(queued.headers['x-total-count']).toBe('3');
    });

    it.each([
      ['status=done', 'status', 'queued, processing, completed, failed, cancelled'],
      ['agent_type=weather', 'agent_type', 'content'],
      ['page=0', 'page', '1 to 1000000'],
      ['page_size=101', 'page_size', '1 to 100'],
      ['page_size=abc', 'page_size', '1 to 100'],
    ])('answers 422 for %s, naming the allowed values', async (query, field, allowed) => {
      const res = await http().get(`/v1/tasks?${query}`).set('X-API-Key', KEY_B).expect(422);
      const detail = (res.body.error.details as { field: string; message: string }[]).find(
        (d) => d.field === field,
      );
      expect(detail?.message).toContain(allowed);
    });

    it('uses an index for the per-key listing', async () => {
      const explained = await db
        .collection('tasks')
        .find({ 'metadata.api_key_id': 'x', status: 'queued' })
        .sort({ created_at: -1 })
        .explain();
      expect(JSON.stringify(explained)).not.toContain('COLLSCAN');
    });
  });

  describe('GET /v1/tasks/:task_id and isolation', () => {
    let taskOfA: string;
    beforeAll(async () => {
      taskOfA = (
        await submit(KEY_A, { task: 'mine alone', session_id: 'private-session' }).expect(200)
      ).body.task_id;
    });

    it('returns the task in the spec shape, without the error stack', async () => {
      await db.collection('tasks').updateOne(
        { task_id: taskOfA },
        {
          $set: {
            error: {
              code: 'X',
              message: 'boom',
              retryable: false,
              attempts: 1,
              stack: 'Error: secret stack',
            },
          },
        },
      );
      const res = await http().get(`/v1/tasks/${taskOfA}`).set('X-API-Key', KEY_A).expect(200);
      expect(res.body).toMatchObject({
        task_id: taskOfA,
        status: 'queued',
        input_text: 'mine alone',
        agent_runs: [],
        api_version: 'v1',
      });
      expect(res.body.error).toEqual({ code: 'X', message: 'boom', retryable: false, attempts: 1 });
      expect(JSON.stringify(res.body)).not.toContain('secret stack');
    });

    it('answers 404 TASK_NOT_FOUND for an unknown id', async () => {
      const res = await http().get('/v1/tasks/does-not-exist').set('X-API-Key', KEY_A).expect(404);
      expect(res.body.error.code).toBe('TASK_NOT_FOUND');
    });

    it('hides one key’s tasks and sessions from another, as if they did not exist', async () => {
      expect(
        (await http().get(`/v1/tasks/${taskOfA}`).set('X-API-Key', KEY_B).expect(404)).body.error
          .code,
      ).toBe('TASK_NOT_FOUND');
      await http().post(`/v1/tasks/${taskOfA}/cancel`).set('X-API-Key', KEY_B).expect(404);
      const listed = await http()
        .get('/v1/tasks?page_size=100')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(listed.body.map((t: { task_id: string }) => t.task_id)).not.toContain(taskOfA);
      await http().get('/v1/sessions/private-session').set('X-API-Key', KEY_B).expect(404);
      // The same session id under another key is another session.
      const other = await submit(KEY_B, {
        task: 'same id, other key',
        session_id: 'private-session',
      }).expect(200);
      const session = await http()
        .get('/v1/sessions/private-session')
        .set('X-API-Key', KEY_B)
        .expect(200);
      expect(session.body.messages.map((m: { task_id: string }) => m.task_id)).toEqual([
        other.body.task_id,
      ]);
    });

    it('returns a session with its messages, paginated', async () => {
      const res = await http()
        .get('/v1/sessions/private-session?page_size=1')
        .set('X-API-Key', KEY_A)
        .expect(200);
      expect(res.body).toMatchObject({
        session_id: 'private-session',
        total_messages: 1,
        page: 1,
        page_size: 1,
      });
      expect(res.body.messages[0]).toMatchObject({
        role: 'user',
        content: 'mine alone',
        task_id: taskOfA,
      });
      expect(res.headers['x-total-count']).toBe('1');
    });
  });

  describe('POST /v1/tasks/:task_id/cancel', () => {
    it('cancels a queued task at once and removes its job', async () => {
      const taskId = (await submit(KEY_A, { task: 'cancel me' }).expect(200)).body
        .task_id as string;
      const res = await http()
        .post(`/v1/tasks/${taskId}/cancel`)
        .set('X-API-Key', KEY_A)
        .expect(200);
      expect(res.body.status).toBe('cancelled');
      const raw = testRedisClient(t.backends);
      try {
        const jobKey = `${t.app.get(RedisConnections).queuePrefix}:agent_tasks:${taskId}`;
        expect(await raw.exists(jobKey)).toBe(0);
      } finally {
        raw.disconnect();
      }
      const again = await http()
        .post(`/v1/tasks/${taskId}/cancel`)
        .set('X-API-Key', KEY_A)
        .expect(409);
      expect(again.body.error.code).toBe('TASK_ALREADY_FINISHED');
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the original task for the same key and body, and enqueues nothing more', async () => {
      const first = await submit(KEY_A, { task: 'only once' })
        .set('Idempotency-Key', 'idem-1')
        .expect(200);
      const again = await submit(KEY_A, { task: 'only once' })
        .set('Idempotency-Key', 'idem-1')
        .expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.body).toEqual(first.body);
      expect(await db.collection('tasks').countDocuments({ input_text: 'only once' })).toBe(1);
    });

    it('answers 409 IDEMPOTENCY_CONFLICT for the same key with a different body', async () => {
      await submit(KEY_A, { task: 'body one' }).set('Idempotency-Key', 'idem-2').expect(200);
      const res = await submit(KEY_A, { task: 'body two' })
        .set('Idempotency-Key', 'idem-2')
        .expect(409);
      expect(res.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    });

    it('keeps keys apart per API key', async () => {
      const a = await submit(KEY_A, { task: 'shared key name' })
        .set('Idempotency-Key', 'idem-3')
        .expect(200);
      const b = await submit(KEY_B, { task: 'shared key name' })
        .set('Idempotency-Key', 'idem-3')
        .expect(200);
      expect(b.body.task_id).not.toBe(a.body.task_id);
    });

    it('creates exactly one task for two concurrent identical requests', async () => {
      const [one, two] = await Promise.all([
        submit(KEY_A, { task: 'concurrent' }).set('Idempotency-Key', 'idem-4'),
        submit(KEY_A, { task: 'concurrent' }).set('Idempotency-Key', 'idem-4'),
      ]);
      expect([one.status, two.status]).toEqual([200, 200]);
      expect(one.body.task_id).toBe(two.body.task_id);
      expect(await db.collection('tasks').countDocuments({ input_text: 'concurrent' })).toBe(1);
    });

    it('refuses a key over 255 characters with 422', async () => {
      await submit(KEY_A, { task: 'x' }).set('Idempotency-Key', 'k'.repeat(256)).expect(422);
    });
  });
});
