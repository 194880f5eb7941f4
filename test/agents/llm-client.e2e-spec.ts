import type { LlmUsage } from '@agent-orchestrator/agent-kit';
import { OpenAiTestServer } from '@agent-orchestrator/testing';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput } from '../../libs/testing/src/agents/agent-events';
import { AgentRegistry } from '../../src/agents/agent-registry';
import { PeerAgentService } from '../../src/agents/peer-agent.service';
import { LlmClient, type ChatRequest } from '../../src/llm/llm-client';

describe('LlmClient against the OpenAI test server', () => {
  let llm: OpenAiTestServer;
  const modules: TestingModule[] = [];

  const clientWith = async (env: Record<string, string> = {}): Promise<LlmClient> => {
    const moduleRef = await createAgentsTestingModule({
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test-key', ...env },
    });
    modules.push(moduleRef);
    return moduleRef.get(LlmClient);
  };

  const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
    role: 'peer',
    messages: [{ role: 'user', content: 'hello' }],
    signal: new AbortController().signal,
    ...overrides,
  });

  beforeAll(async () => {
    llm = await OpenAiTestServer.start();
  });
  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
    llm.reset();
  });
  afterAll(() => llm.close());

  describe('retries', () => {
    it('retries a 429 after the Retry-After the server asked for, then succeeds', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '2' });
      llm.enqueue({ fault: { type: 'rate_limit', retryAfterS: 0.3 } }, { content: 'made it' });

      const result = await client.chat(request());

      expect(result).toMatchObject({ text: 'made it', attempts: 2 });
      const [limited, retried] = llm.chatRequests();
      expect([limited.status, retried.status]).toEqual([429, 200]);
      // The test retry policy alone would wait at most 100 ms; the 300 ms come from Retry-After.
      expect(retried.receivedAt - (limited.finishedAt ?? 0)).toBeGreaterThanOrEqual(290);
    });

    it('gives up on 500s after LLM_MAX_RETRIES retries with a transient LLM_UNAVAILABLE', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '2' });
      llm.when({}, { fault: { type: 'server_error' } });

      await expect(client.chat(request())).rejects.toMatchObject({
        name: 'LlmUnavailableError',
        code: 'LLM_UNAVAILABLE',
        retryable: true,
      });
      expect(llm.chatRequests().map((r) => r.status)).toEqual([500, 500, 500]);
    });

    it('reports a 429 that outlasts the retries as a transient LLM_RATE_LIMITED', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '1' });
      llm.when({}, { fault: { type: 'rate_limit' } });

      await expect(client.chat(request())).rejects.toMatchObject({
        code: 'LLM_RATE_LIMITED',
        retryable: true,
      });
      expect(llm.chatRequests()).toHaveLength(2);
    });

    it('times out a slow first byte after LLM_TIMEOUT_MS as a transient LLM_TIMEOUT', async () => {
      const client = await clientWith({ LLM_TIMEOUT_MS: '100', LLM_MAX_RETRIES: '0' });
      llm.enqueue({ content: 'too late', fault: { type: 'slow_first_byte', delayMs: 3_000 } });

      await expect(client.chat(request())).rejects.toMatchObject({
        name: 'LlmTimeoutError',
        code: 'LLM_TIMEOUT',
        retryable: true,
      });
      await llm.idle();
      expect(llm.lastChatRequest()).toMatchObject({ aborted: true });
    });

    it('retries a timed-out attempt and succeeds when the next one is on time', async () => {
      // A timeout roomy enough for the on-time attempt on a loaded CI machine.
      const client = await clientWith({ LLM_TIMEOUT_MS: '1500', LLM_MAX_RETRIES: '1' });
      llm.enqueue(
        { content: 'too late', fault: { type: 'slow_first_byte', delayMs: 6_000 } },
        { content: 'on time' },
      );

      await expect(client.chat(request())).resolves.toMatchObject({ text: 'on time', attempts: 2 });
    });

    it('times out a stream that stalls between chunks', async () => {
      const client = await clientWith({ LLM_TIMEOUT_MS: '100', LLM_MAX_RETRIES: '0' });
      llm.enqueue({ content: 'first second third', chunkDelayMs: 2_000 });
      const deltas: string[] = [];

      await expect(
        client.chat(request({ onDelta: (text) => deltas.push(text) })),
      ).rejects.toMatchObject({ code: 'LLM_TIMEOUT', retryable: true });
    });
    it('treats a response body that is not JSON as a transient LLM_UNAVAILABLE and retries it', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '1' });
      llm.enqueue({ content: 'x', fault: { type: 'malformed_json' } }, { content: 'whole' });

      await expect(client.chat(request())).resolves.toMatchObject({ text: 'whole', attempts: 2 });
    });

    it('does not re-run a stream cut after text went out, but fails it as transient', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '3' });
      llm.enqueue({
        content: 'one two three four five',
        fault: { type: 'cut_stream', afterChunks: 3 },
      });
      const deltas: string[] = [];

      await expect(
        client.chat(request({ onDelta: (text) => deltas.push(text) })),
      ).rejects.toMatchObject({ code: 'LLM_UNAVAILABLE', retryable: true });
      expect(deltas.length).toBeGreaterThan(0);
      expect(llm.chatRequests()).toHaveLength(1);
    });
  });

  describe('cancellation', () => {
    it('ends a held call with CANCELLED when the signal aborts, and never retries it', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '3' });
      llm.setDefaultReply({ content: 'never seen' });
      const hold = llm.holdNext();
      const controller = new AbortController();

      const pending = client.chat(request({ signal: controller.signal }));
      await hold.reached;
      controller.abort();

      await expect(pending).rejects.toMatchObject({
        name: 'CancelledError',
        code: 'CANCELLED',
        retryable: false,
      });
      await llm.idle();
      expect(llm.chatRequests()).toHaveLength(1);
      expect(llm.lastChatRequest()?.aborted).toBe(true);
      hold.release();
    });

    it('ends a stream with CANCELLED when the signal aborts mid-stream', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '3' });
      llm.setDefaultReply({ content: 'first second third fourth' });
      const hold = llm.holdNext();
      const controller = new AbortController();
      const deltas: string[] = [];

      const pending = client.chat(
        request({ signal: controller.signal, onDelta: (text) => deltas.push(text) }),
      );
      await hold.reached;
      controller.abort();

      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED', retryable: false });
      hold.release();
      expect(llm.chatRequests()).toHaveLength(1);
    });

    it('does not call the model at all when the signal has already fired', async () => {
      const client = await clientWith();
      const controller = new AbortController();
      controller.abort();

      await expect(client.chat(request({ signal: controller.signal }))).rejects.toMatchObject({
        code: 'CANCELLED',
      });
      expect(llm.chatRequests()).toHaveLength(0);
    });
  });

  describe('permanent failures', () => {
    it('classifies 401 as a permanent LLM_REQUEST_REJECTED, without retrying', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '3' });
      llm.when({}, { fault: { type: 'unauthorized' } });

      await expect(client.chat(request())).rejects.toMatchObject({
        name: 'LlmRequestRejectedError',
        code: 'LLM_REQUEST_REJECTED',
        retryable: false,
        message: expect.stringContaining('OPENAI_API_KEY'),
      });
      expect(llm.chatRequests()).toHaveLength(1);
    });

    it('classifies 400 as a permanent LLM_REQUEST_REJECTED carrying the provider’s message', async () => {
      const client = await clientWith({ LLM_MAX_RETRIES: '3' });
      llm.when({}, { fault: { type: 'bad_request', message: 'messages is broken' } });

      await expect(client.chat(request())).rejects.toMatchObject({
        code: 'LLM_REQUEST_REJECTED',
        retryable: false,
        message: expect.stringContaining('messages is broken'),
      });
      expect(llm.chatRequests()).toHaveLength(1);
    });

    it('sends a placeholder key to a base URL configured without one (local servers need none)', async () => {
      const moduleRef = await createAgentsTestingModule({ env: { OPENAI_BASE_URL: llm.url } });
      modules.push(moduleRef);
      llm.enqueue({ content: 'local' });

      await expect(moduleRef.get(LlmClient).chat(request())).resolves.toMatchObject({
        text: 'local',
      });
      expect(llm.lastChatRequest()?.authorization).toBe('Bearer not-needed');
    });
  });

  describe('without any LLM configured', () => {
    let moduleRef: TestingModule;

    beforeAll(async () => {
      moduleRef = await createAgentsTestingModule({ env: {} });
    });
    afterAll(() => moduleRef.close());

    it('still starts, and every task fails permanently with LLM_NOT_CONFIGURED saying what to set', async () => {
      expect(moduleRef.get(LlmClient).isConfigured()).toBe(false);
      expect(
        moduleRef
          .get(AgentRegistry)
          .list()
          .map((a) => a.name),
      ).toEqual(expect.arrayContaining(['ContentAgent', 'CodeAgent']));

      for (const input of [
        peerAgentInput('Write a poem'),
        peerAgentInput('Write a poem', { agentHint: 'ContentAgent' }),
      ]) {
        const failure = moduleRef.get(PeerAgentService).run(input);
        await expect(failure).rejects.toMatchObject({
          code: 'LLM_NOT_CONFIGURED',
          retryable: false,
        });
        const message = ((await failure.catch((e: Error) => e)) as Error).message;
        expect(message).toContain('OPENAI_API_KEY');
        expect(message).toContain('OPENAI_BASE_URL');
        expect(message).toContain('npm run dev:llm');
      }
      expect(llm.chatRequests()).toHaveLength(0);
    });
  });

  describe('usage and cost', () => {
    const recorder = () => {
      const calls: LlmUsage[] = [];
      return { calls, record: (u: LlmUsage) => calls.push(u) };
    };

    it('records the usage of a call and prices it from the built-in table', async () => {
      const client = await clientWith({ LLM_PEER_MODEL: 'gpt-4.1-mini' });
      llm.enqueue({ content: 'ok', usage: { prompt_tokens: 1_000, completion_tokens: 500 } });
      const usage = recorder();

      await client.chat(request({ usage }));

      // gpt-4.1-mini: 0.40 in / 1.60 out per 1M tokens.
      expect(usage.calls).toEqual([
        {
          model: 'gpt-4.1-mini',
          prompt_tokens: 1_000,
          completion_tokens: 500,
          total_tokens: 1_500,
          cost_usd: 0.0012,
        },
      ]);
    });

    it('records usage from the final chunk of a stream (stream_options.include_usage)', async () => {
      const client = await clientWith({ LLM_CONTENT_MODEL: 'gpt-4o' });
      llm.enqueue({
        content: 'streamed words here',
        usage: { prompt_tokens: 2_000, completion_tokens: 1_000 },
      });
      const usage = recorder();
      const deltas: string[] = [];

      const result = await client.chat(
        request({ role: 'content', usage, onDelta: (text) => deltas.push(text) }),
      );

      expect(llm.lastChatRequest()).toMatchObject({ stream: true, includeUsage: true });
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe('streamed words here');
      expect(result.text).toBe('streamed words here');
      // gpt-4o: 2.50 in / 10.00 out per 1M tokens.
      expect(usage.calls).toEqual([
        expect.objectContaining({
          prompt_tokens: 2_000,
          completion_tokens: 1_000,
          cost_usd: 0.015,
        }),
      ]);
    });

    it('reports a null cost, not zero, for a model with no known price', async () => {
      const client = await clientWith({ LLM_PEER_MODEL: 'llama3.1:8b' });
      llm.enqueue({ content: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } });
      const usage = recorder();

      await client.chat(request({ usage }));

      expect(usage.calls).toEqual([
        expect.objectContaining({ model: 'llama3.1:8b', total_tokens: 15, cost_usd: null }),
      ]);
    });

    it('prices a model from LLM_PRICES_JSON, which overrides the built-in table', async () => {
      const client = await clientWith({
        LLM_PEER_MODEL: 'gpt-4.1-mini',
        LLM_CODE_MODEL: 'llama3.1:8b',
        LLM_PRICES_JSON: JSON.stringify({
          'gpt-4.1-mini': { input: 1, output: 2 },
          'llama3.1:8b': { input: 0.1, output: 0.1 },
        }),
      });
      llm.when(
        {},
        { content: 'ok', usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } },
      );
      const usage = recorder();

      await client.chat(request({ usage }));
      await client.chat(request({ role: 'code', usage }));

      expect(usage.calls.map((c) => [c.model, c.cost_usd])).toEqual([
        ['gpt-4.1-mini', 3],
        ['llama3.1:8b', 0.2],
      ]);
    });
  });
});
