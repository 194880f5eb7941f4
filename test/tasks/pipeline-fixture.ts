import { getConnectionToken } from '@nestjs/mongoose';
import {
  createTestApp,
  type OpenAiTestServer,
  startLlmServers,
  type TavilyTestServer,
  type TestApp,
  type TestAppOptions,
  waitFor,
} from '@agent-orchestrator/testing';
import type { Connection } from 'mongoose';
import request from 'supertest';

/**
 * No retries inside an LLM call and a 50 ms queue backoff: a transient failure goes straight to
 * the task-level retry, and that retry comes at once.
 */
export const FAST_RETRY_ENV = { LLM_MAX_RETRIES: '0', QUEUE_RETRY_BACKOFF_MS: '50' };

/** An app on the LLM servers' `env`, with FAST_RETRY_ENV unless `options.env` says otherwise. */
export function pipelineApp(
  env: Record<string, string>,
  options: TestAppOptions = {},
): Promise<TestApp> {
  return createTestApp({ ...options, env: { ...FAST_RETRY_ENV, ...env, ...options.env } });
}

/** The test LLM and search servers and one app on them: what most pipeline suites start with. */
export interface Pipeline {
  llm: OpenAiTestServer;
  search: TavilyTestServer;
  t: TestApp;
  db: Connection;
  /** Closes the app, then the servers. */
  close(): Promise<void>;
}

export async function startPipeline(options: TestAppOptions = {}): Promise<Pipeline> {
  const servers = await startLlmServers();
  let t: TestApp;
  try {
    t = await pipelineApp(servers.env, options);
  } catch (err) {
    await servers.close();
    throw err;
  }
  return {
    llm: servers.llm,
    search: servers.search,
    t,
    db: t.app.get<Connection>(getConnectionToken()),
    close: async () => {
      try {
        await t.close();
      } finally {
        await servers.close();
      }
    },
  };
}

export interface TaskDetail {
  task_id: string;
  session_id: string;
  status: string;
  selected_agent: string | null;
  agent_type: string | null;
  peer_routing_reason: string | null;
  result: {
    summary: string;
    raw_output: string;
    code_language: string | null;
    citations: unknown[];
  } | null;
  error: { code: string; message: string; retryable: boolean; attempts: number } | null;
  cost: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    usd_estimate: number | null;
  };
  agent_runs: {
    run_id: string;
    agent_role: string;
    agent_name: string;
    token_usage: { total: number };
  }[];
}

/** Waits until the task reaches one of `statuses` and returns its detail. */
export function waitForStatus(
  app: TestApp,
  taskId: string,
  statuses: string[] = ['completed', 'failed', 'cancelled'],
  headers: Record<string, string> = {},
): Promise<TaskDetail> {
  return waitFor(
    async () => {
      const res = await request(app.app.getHttpServer()).get(`/v1/tasks/${taskId}`).set(headers);
      const body = res.body as TaskDetail;
      return res.status === 200 && statuses.includes(body.status) ? body : undefined;
    },
    `task ${taskId} to be ${statuses.join(' or ')}`,
  );
}
