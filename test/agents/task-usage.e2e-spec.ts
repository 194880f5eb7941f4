import { OpenAiTestServer } from '@agent-orchestrator/testing';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput } from '../../libs/testing/src/agents/agent-events';
import { PeerAgentService } from '../../src/agents/peer-agent.service';

const ROUTER = { systemIncludes: 'agent_name' };
const CONTENT = { systemIncludes: 'senior technical content writer' };
const TO_CONTENT = JSON.stringify({
  agent_name: 'ContentAgent',
  agent_type: 'content',
  confidence: 0.9,
  reasoning: 'prose',
});

describe('Token usage and cost of a task', () => {
  let llm: OpenAiTestServer;
  let moduleRef: TestingModule | undefined;

  const peerWith = async (env: Record<string, string>): Promise<PeerAgentService> => {
    moduleRef = await createAgentsTestingModule({
      env: {
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'k',
        LLM_PEER_MODEL: 'gpt-4.1-mini',
        ...env,
      },
    });
    return moduleRef.get(PeerAgentService);
  };

  beforeAll(async () => {
    llm = await OpenAiTestServer.start();
  });
  afterEach(async () => {
    await moduleRef?.close();
    llm.reset();
  });
  afterAll(() => llm.close());

  beforeEach(() => {
    llm.when(ROUTER, {
      content: TO_CONTENT,
      usage: { prompt_tokens: 1_000, completion_tokens: 100 },
    });
    llm.when(CONTENT, {
      content: 'Streamed prose.',
      usage: { prompt_tokens: 2_000, completion_tokens: 1_000 },
    });
  });

  it('records each run’s tokens and cost (the streamed one from its usage chunk) and totals them', async () => {
    const peer = await peerWith({ LLM_CONTENT_MODEL: 'gpt-4o' });

    const result = await peer.run(peerAgentInput('Explain tides', { taskId: 't-cost' }));

    // Router, gpt-4.1-mini: 1000 × 0.40 + 100 × 1.60 per 1M = 0.00056.
    // Content, gpt-4o (streamed): 2000 × 2.50 + 1000 × 10.00 per 1M = 0.015.
    expect(result.runs.map((r) => [r.run_id, r.model, r.token_usage, r.cost_usd])).toEqual([
      ['t-cost:router', 'gpt-4.1-mini', { prompt: 1_000, completion: 100, total: 1_100 }, 0.00056],
      ['t-cost:ContentAgent', 'gpt-4o', { prompt: 2_000, completion: 1_000, total: 3_000 }, 0.015],
    ]);
    expect(result.usage).toEqual({
      prompt_tokens: 3_000,
      completion_tokens: 1_100,
      total_tokens: 4_100,
      usd_estimate: 0.01556,
    });
  });

  it('leaves the task’s cost null, not partial, when one call used a model with no known price', async () => {
    const peer = await peerWith({ LLM_CONTENT_MODEL: 'mistral-local' });

    const result = await peer.run(peerAgentInput('Explain tides'));

    expect(result.runs.map((r) => r.cost_usd)).toEqual([0.00056, null]);
    expect(result.usage).toMatchObject({ total_tokens: 4_100, usd_estimate: null });
  });

  it('prices an unknown model once LLM_PRICES_JSON gives it a price', async () => {
    const peer = await peerWith({
      LLM_CONTENT_MODEL: 'mistral-local',
      LLM_PRICES_JSON: '{"mistral-local": {"input": 1, "output": 1}}',
    });

    const result = await peer.run(peerAgentInput('Explain tides'));

    expect(result.runs.map((r) => r.cost_usd)).toEqual([0.00056, 0.003]);
    expect(result.usage.usd_estimate).toBe(0.00356);
  });

  it('reports the tokens already spent when the task fails after routing', async () => {
    llm.reset();
    llm.when(ROUTER, {
      content: TO_CONTENT,
      usage: { prompt_tokens: 1_000, completion_tokens: 100 },
    });
    llm.when(CONTENT, { fault: { type: 'bad_request' } });
    const peer = await peerWith({ LLM_CONTENT_MODEL: 'gpt-4o' });

    await expect(peer.run(peerAgentInput('Explain tides'))).rejects.toMatchObject({
      code: 'LLM_REQUEST_REJECTED',
      usage: {
        prompt_tokens: 1_000,
        completion_tokens: 100,
        total_tokens: 1_100,
        usd_estimate: 0.00056,
      },
      runs: [
        expect.objectContaining({ agent_role: 'router' }),
        expect.objectContaining({ agent_role: 'executor' }),
      ],
    });
  });
});
