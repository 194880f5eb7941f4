import {
  isRouterRequest,
  type OpenAiTestServer,
  type TestApp,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { type Pipeline, startPipeline, waitForStatus } from './pipeline-fixture';

describe('worker: retries, permanent failures and cancellation', () => {
  let pipeline: Pipeline;
  let llm: OpenAiTestServer;
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    pipeline = await startPipeline({ mode: 'all', env: { QUEUE_MAX_RETRIES: '2' } });
    ({ llm, t, db } = pipeline);
  });
  afterAll(() => pipeline.close());

  const http = () => request(t.app.getHttpServer());
  const routerCalls = (taskText: string) =>
    llm
      .chatRequests()
      .filter((r) => isRouterRequest(r) && JSON.stringify(r.body).includes(taskText));

  it('retries a transient LLM failure and completes on the second attempt', async () => {
    llm.when(
      (r) => isRouterRequest(r) && JSON.stringify(r.body).includes('flaky once'),
      { fault: { type: 'server_error' } },
      { times: 1 },
    );
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a Python script, flaky once' })
      .expect(200);
    const task = await waitForStatus(t, res.body.task_id);
    expect(task.status).toBe('completed');
    expect((task as unknown as { attempts: number }).attempts).toBe(2);
    expect(routerCalls('flaky once')).toHaveLength(2);
    const logs = await db
      .collection('logs')
      .find({ 'context.task_id': res.body.task_id })
      .toArray();
    expect(logs.map((l) => l.message)).toContain('task retried');
  });

  it('fails a permanent error at once, without retrying, and keeps the error document', async () => {
    llm.when((r) => isRouterRequest(r) && JSON.stringify(r.body).includes('weather in Ankara'), {
      content: JSON.stringify({
        agent_name: 'Unknown',
        agent_type: 'unknown',
        confidence: 0.95,
        reasoning: 'A weather question; no agent does that.',
      }),
    });
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: "What's the weather in Ankara?" })
      .expect(200);
    const task = await waitForStatus(t, res.body.task_id);
    expect(task.status).toBe('failed');
    expect(task.error).toEqual({
      code: 'UNKNOWN_TASK_TYPE',
      message: expect.stringContaining('weather'),
      retryable: false,
      attempts: 1,
    });
    expect(routerCalls('weather in Ankara')).toHaveLength(1);
    expect(task.agent_runs.map((r) => r.agent_role)).toEqual(['router']);
    const stored = await db.collection('tasks').findOne({ task_id: res.body.task_id });
    expect(stored?.error.stack).toEqual(expect.any(String));
  });

  it('retries a task whose agent got an empty streamed answer, and completes it with the next', async () => {
    llm.when(
      (r) => !isRouterRequest(r) && JSON.stringify(r.body).includes('blank once'),
      { content: '' },
      { times: 1 },
    );
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write an essay, blank once', agent: 'ContentAgent' })
      .expect(200);
    const task = await waitForStatus(t, res.body.task_id);
    expect(task.status).toBe('completed');
    expect((task as unknown as { attempts: number }).attempts).toBe(2);
    expect(task.result?.raw_output.trim()).not.toBe('');
  });

  it('fails a task whose every answer is blank with LLM_EMPTY_RESPONSE, never completing it empty', async () => {
    llm.when((r) => !isRouterRequest(r) && JSON.stringify(r.body).includes('always blank'), {
      content: ' \n ',
    });
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a Python function, always blank', agent: 'CodeAgent' })
      .expect(200);
    const task = await waitForStatus(t, res.body.task_id);
    expect(task.status).toBe('failed');
    expect(task.result).toBeNull();
    expect(task.error).toEqual({
      code: 'LLM_EMPTY_RESPONSE',
      message: expect.stringContaining('empty answer'),
      retryable: true,
      attempts: 3,
    });
    const agentCalls = llm
      .chatRequests()
      .filter((r) => JSON.stringify(r.body).includes('always blank'));
    expect(agentCalls).toHaveLength(3);
    const answers = await db
      .collection('messages')
      .countDocuments({ task_id: res.body.task_id, role: 'assistant' });
    expect(answers).toBe(0);
  });

  it('cancels a processing task: the worker aborts the in-flight LLM call', async () => {
    const hold = llm.holdNext(
      (r) => !isRouterRequest(r) && JSON.stringify(r.body).includes('a very long essay'),
    );
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a very long essay', agent: 'ContentAgent' })
      .expect(200);
    await hold.reached;
    const cancel = await http().post(`/v1/tasks/${res.body.task_id}/cancel`).expect(202);
    expect(cancel.body.status).toBe('processing');
    const task = await waitForStatus(t, res.body.task_id);
    hold.release();
    expect(task.status).toBe('cancelled');
    expect(task.result).toBeNull();
    await expect(
      waitFor(
        async () =>
          (await db
            .collection('messages')
            .countDocuments({ task_id: res.body.task_id, role: 'assistant' })) === 0,
        'no answer',
      ),
    ).resolves.toBe(true);
  });
});
