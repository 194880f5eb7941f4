import {
  createTestApp,
  installDemoScript,
  OpenAiTestServer,
  TavilyTestServer,
  type TestApp,
  type TestAppOptions,
  waitFor,
} from '@agent-orchestrator/testing';
import request from 'supertest';

/** The paid APIs, served by the wire-level test servers with the demo script installed. */
export async function startLlmServers(): Promise<{
  llm: OpenAiTestServer;
  search: TavilyTestServer;
  env: Record<string, string>;
}> {
  const llm = await OpenAiTestServer.start();
  const search = await TavilyTestServer.start();
  installDemoScript(llm, search);
  return {
    llm,
    search,
    env: {
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'test-openai-key',
      TAVILY_BASE_URL: search.url,
      TAVILY_API_KEY: 'tvly-test-key',
      LLM_MAX_RETRIES: '0',
      QUEUE_RETRY_BACKOFF_MS: '50',
    },
  };
}

export function pipelineApp(
  env: Record<string, string>,
  options: TestAppOptions = {},
): Promise<TestApp> {
  return createTestApp({ ...options, env: { ...env, ...options.env } });
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
