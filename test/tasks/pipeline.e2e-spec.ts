import {
  installDemoScript,
  type OpenAiTestServer,
  type TavilyTestServer,
  type TestApp,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { type Pipeline, startPipeline, waitForStatus } from './pipeline-fixture';

describe('task pipeline, end to end (api + worker in one process)', () => {
  let pipeline: Pipeline;
  let llm: OpenAiTestServer;
  let search: TavilyTestServer;
  let t: TestApp;
  let db: Connection;

  beforeAll(async () => {
    pipeline = await startPipeline({ mode: 'all' });
    ({ llm, search, t, db } = pipeline);
  });
  afterAll(() => pipeline.close());

  const http = () => request(t.app.getHttpServer());

  it('accepts a task with the spec body, then a worker routes and completes it with runs, messages and cost', async () => {
    const res = await http()
      .post('/v1/agent/execute')
      .set('X-Request-Id', 'happy-path-1')
      .send({ task: 'Python ile bir dosyayı okuyup yazan kod yaz' })
      .expect(200);
    expect(res.body).toEqual({
      task_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'queued',
      queued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      message: 'Task accepted and queued.',
      api_version: 'v1',
    });
    const taskId = res.body.task_id as string;

    const task = await waitForStatus(t, taskId);
    expect(task.status).toBe('completed');
    expect(task.selected_agent).toBe('CodeAgent');
    expect(task.agent_type).toBe('code');
    expect(task.peer_routing_reason).toEqual(expect.any(String));
    expect(task.result?.raw_output).toContain('### Code');
    expect(task.result?.code_language).toBe('python');
    expect(task.error).toBeNull();
    expect(task.agent_runs.map((r) => r.run_id)).toEqual([
      `${taskId}:router`,
      `${taskId}:CodeAgent`,
    ]);
    expect(task.cost.total_tokens).toBe(
      task.agent_runs.reduce((sum, r) => sum + r.token_usage.total, 0),
    );
    expect(task.cost.total_tokens).toBeGreaterThan(0);

    const messages = await db
      .collection('messages')
      .find({ task_id: taskId })
      .sort({ created_at: 1 })
      .toArray();
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1].agent_name).toBe('CodeAgent');

    const stored = await db.collection('tasks').findOne({ task_id: taskId });
    expect(stored?.metadata).toMatchObject({ request_id: 'happy-path-1', api_key_id: null });
    // Kept for the latency figures of /v1/system/metrics, written with the completion.
    expect(stored?.latency_ms).toBe(
      (stored?.completed_at as Date).getTime() - (stored?.created_at as Date).getTime(),
    );
    const session = await db.collection('sessions').findOne({ session_id: task.session_id });
    expect(session?.last_task_id).toBe(taskId);

    const logs = await db
      .collection('logs')
      .find({ 'context.task_id': taskId })
      .sort({ timestamp: 1 })
      .toArray();
    expect(logs.map((l) => l.message)).toEqual(['task created', 'task routed', 'task completed']);
    expect(logs[0].context.request_id).toBe('happy-path-1');
  });

  it('passes the session history to the agents, so a follow-up works on the previous answer', async () => {
    const first = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a blog post about Redis streams' })
      .expect(200);
    const done = await waitForStatus(t, first.body.task_id);
    expect(done.status).toBe('completed');
    const firstAnswer = done.result!.raw_output;

    llm.reset();
    installDemoScript(llm, search);
    const second = await http()
      .post('/v1/agent/execute')
      .send({
        task: 'Now make it shorter',
        session_id: first.body.session_id,
        agent: 'ContentAgent',
      })
      .expect(200);
    expect(second.body.session_id).toBe(first.body.session_id);
    expect((await waitForStatus(t, second.body.task_id)).status).toBe('completed');

    const agentCall = llm
      .chatRequests()
      .find(
        (r) =>
          r.lastUserText.includes('Now make it shorter') ||
          JSON.stringify(r.body).includes('Now make it shorter'),
      );
    expect(agentCall).toBeDefined();
    const messages = (agentCall!.body as { messages: { role: string; content: string }[] })
      .messages;
    expect(messages).toContainEqual({
      role: 'user',
      content: 'Write a blog post about Redis streams',
    });
    expect(messages).toContainEqual({ role: 'assistant', content: firstAnswer });
  });

  it('skips routing when the caller names an agent', async () => {
    const res = await http()
      .post('/v1/agent/execute')
      .send({ task: 'anything at all', agent: 'CodeAgent' })
      .expect(200);
    const task = await waitForStatus(t, res.body.task_id);
    expect(task.status).toBe('completed');
    expect(task.agent_runs.map((r) => r.agent_role)).toEqual(['executor']);
    expect(task.selected_agent).toBe('CodeAgent');
  });
});
