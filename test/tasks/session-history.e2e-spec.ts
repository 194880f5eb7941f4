import {
  createTestApp,
  type LlmServers,
  startLlmServers,
  type TestApp,
  type TestBackends,
  testBackends,
} from '@agent-orchestrator/testing';
import request from 'supertest';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { TASK_QUEUE } from '../../src/queues/queue-names';
import { FAST_RETRY_ENV, waitForStatus } from './pipeline-fixture';

/** The messages an agent call sent the LLM, as one string per message. */
function sentMessages(body: unknown): string[] {
  return ((body as { messages?: { content: unknown }[] }).messages ?? []).map((m) =>
    JSON.stringify(m.content),
  );
}

describe('session history is what came before the task', () => {
  let servers: LlmServers;
  let backends: TestBackends;
  let api: TestApp;

  beforeAll(async () => {
    servers = await startLlmServers();
    backends = testBackends();
    api = await createTestApp({
      mode: 'api',
      backends,
      env: { ...servers.env, ...FAST_RETRY_ENV },
    });
  });
  afterAll(async () => {
    await api?.close();
    await servers?.close();
  });

  it('gives a task none of the follow-ups accepted before it ran, and the follow-up the task before it', async () => {
    const http = () => request(api.app.getHttpServer());
    const first = await http()
      .post('/v1/agent/execute')
      .send({ task: 'Write a Python function that parses ISO dates', agent: 'CodeAgent' })
      .expect(200);
    const followUp = await http()
      .post('/v1/agent/execute')
      .send({
        task: 'Now add timezone support to it',
        agent: 'CodeAgent',
        session_id: first.body.session_id,
      })
      .expect(200);

    // Only the task that started the session is marked so: its worker skips the history read.
    const queue = api.app.get<Queue>(getQueueToken(TASK_QUEUE));
    expect((await queue.getJob(first.body.task_id as string))?.data.new_session).toBe(true);
    expect((await queue.getJob(followUp.body.task_id as string))?.data.new_session).toBeUndefined();

    // Both were accepted before any worker ran.
    const worker = await createTestApp({
      mode: 'worker',
      backends,
      keepDatabase: true,
      env: { ...servers.env, ...FAST_RETRY_ENV },
    });
    try {
      expect((await waitForStatus(api, first.body.task_id)).status).toBe('completed');
      expect((await waitForStatus(api, followUp.body.task_id)).status).toBe('completed');
    } finally {
      await worker.close();
    }

    const calls = servers.llm.chatRequests();
    const firstCall = calls.find((r) => r.lastUserText.includes('parses ISO dates'));
    const followUpCall = calls.find((r) => r.lastUserText.includes('timezone support'));
    expect(sentMessages(firstCall?.body).some((m) => m.includes('timezone support'))).toBe(false);
    expect(sentMessages(followUpCall?.body).some((m) => m.includes('parses ISO dates'))).toBe(true);
  });
});
