import {
  Agent,
  type AgentContext,
  type AgentHandler,
  type AgentOutput,
} from '@agent-orchestrator/agent-kit';
import { OpenAiTestServer } from '@agent-orchestrator/testing';
import { Injectable, Module } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput } from '../../libs/testing/src/agents/agent-events';
import { AgentRegistry } from '../../src/agents/agent-registry';
import { DuplicateAgentNameError, InvalidAgentError } from '../../src/agents/agents.errors';
import { PeerAgentFailure } from '../../src/agents/peer-agent-failure';
import { PeerAgentService } from '../../src/agents/peer-agent.service';
import { LlmClient } from '../../src/llm/llm-client';
import { LlmTimeoutError } from '../../src/llm/llm.errors';
import { LlmModule } from '../../src/llm/llm.module';

/** A plugin as a third party would write it: one class, the LLM seam, nothing else edited. */
@Agent({
  name: 'TranslationAgent',
  type: 'translation',
  description: 'Translates a text between natural languages, keeping its tone.',
})
@Injectable()
class TranslationAgent implements AgentHandler {
  constructor(private readonly llm: LlmClient) {}

  async run(ctx: AgentContext): Promise<AgentOutput> {
    const answer = await this.llm.chat({
      role: 'content',
      messages: [
        { role: 'system', content: 'You are a translator.' },
        { role: 'user', content: ctx.task },
      ],
      signal: ctx.signal,
      usage: ctx.usage,
    });
    ctx.emit({ type: 'delta', text: answer.text });
    return { summary: answer.text, raw_output: answer.text, citations: [], tools_used: [] };
  }
}

@Module({ imports: [LlmModule], providers: [TranslationAgent] })
class TranslationModule {}

let failWith: Error;

@Agent({ name: 'FlakyAgent', type: 'flaky', description: 'Fails as the test says.' })
@Injectable()
class FlakyAgent implements AgentHandler {
  run(): Promise<AgentOutput> {
    return Promise.reject(failWith);
  }
}

@Agent({ name: 'CodeAgent', type: 'code', description: 'A second CodeAgent.' })
@Injectable()
class ImpostorCodeAgent implements AgentHandler {
  run(): Promise<AgentOutput> {
    return Promise.reject(new Error('never run'));
  }
}

@Agent({ name: 'LazyAgent', type: 'lazy', description: 'Forgot to implement run().' })
@Injectable()
class LazyAgent {}

describe('Agents as DI plugins', () => {
  let llm: OpenAiTestServer;
  const env = (): Record<string, string> => ({ OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'k' });

  beforeAll(async () => {
    llm = await OpenAiTestServer.start();
  });
  afterEach(() => llm.reset());
  afterAll(() => llm.close());

  describe('a third agent in its own module', () => {
    let moduleRef: TestingModule;

    beforeAll(async () => {
      moduleRef = await createAgentsTestingModule({ env: env(), imports: [TranslationModule] });
    });
    afterAll(() => moduleRef.close());

    it('is discovered by the registry next to the built-in agents', () => {
      const registry = moduleRef.get(AgentRegistry);

      expect(registry.list()).toEqual(
        expect.arrayContaining([
          {
            name: 'TranslationAgent',
            type: 'translation',
            description: expect.stringContaining('Translates'),
          },
          expect.objectContaining({ name: 'ContentAgent', type: 'content' }),
          expect.objectContaining({ name: 'CodeAgent', type: 'code' }),
        ]),
      );
      expect(registry.has('TranslationAgent')).toBe(true);
      expect(registry.get('TranslationAgent')?.meta.type).toBe('translation');
      expect(registry.types()).toEqual(expect.arrayContaining(['content', 'code', 'translation']));
    });

    it('is offered to the router in the classify prompt, and runs when the router picks it', async () => {
      llm.when(
        { systemIncludes: 'agent_name' },
        {
          content: JSON.stringify({
            agent_name: 'TranslationAgent',
            agent_type: 'translation',
            confidence: 0.97,
            reasoning: 'The user wants a translation.',
          }),
        },
      );
      llm.when(
        { systemIncludes: 'translator' },
        { content: 'Good morning', usage: { prompt_tokens: 7, completion_tokens: 3 } },
      );
      const input = peerAgentInput('"Günaydın" cümlesini İngilizceye çevir', { taskId: 't-tr' });

      const result = await moduleRef.get(PeerAgentService).run(input);

      const routerPrompt = llm.chatRequests()[0].systemText;
      expect(routerPrompt).toContain('"TranslationAgent"');
      expect(routerPrompt).toContain(
        'Translates a text between natural languages, keeping its tone.',
      );
      expect(result.routing).toMatchObject({
        agent_name: 'TranslationAgent',
        agent_type: 'translation',
      });
      expect(result.output.raw_output).toBe('Good morning');
      expect(result.runs[1]).toMatchObject({
        run_id: 't-tr:TranslationAgent',
        agent_role: 'executor',
        token_usage: { prompt: 7, completion: 3, total: 10 },
      });
      expect(input.events).toContainEqual({ type: 'delta', text: 'Good morning' });
    });
  });

  describe('boot checks', () => {
    it('fails boot with DuplicateAgentNameError when two classes claim one name', async () => {
      const boot = createAgentsTestingModule({ env: env(), providers: [ImpostorCodeAgent] });

      await expect(boot).rejects.toThrow(DuplicateAgentNameError);
      await expect(boot).rejects.toMatchObject({
        message: expect.stringMatching(/^Agent name "CodeAgent" is used by both/),
        details: {
          agent_name: 'CodeAgent',
          classes: expect.arrayContaining(['CodeAgent', 'ImpostorCodeAgent']),
        },
      });
    });

    it('fails boot with InvalidAgentError for an @Agent class without run()', async () => {
      await expect(
        createAgentsTestingModule({ env: env(), providers: [LazyAgent] }),
      ).rejects.toThrow(InvalidAgentError);
    });
  });

  describe('an agent that throws', () => {
    let moduleRef: TestingModule;
    const runFlaky = () =>
      moduleRef
        .get(PeerAgentService)
        .run(peerAgentInput('x', { agentHint: 'FlakyAgent', taskId: 't-flaky' }))
        .catch((e: unknown) => e as PeerAgentFailure);

    beforeAll(async () => {
      moduleRef = await createAgentsTestingModule({ env: env(), providers: [FlakyAgent] });
    });
    afterAll(() => moduleRef.close());

    it('fails the task with a permanent AGENT_FAILED for an unexpected error, keeping its run', async () => {
      failWith = new TypeError('boom');

      const failure = await runFlaky();

      expect(failure).toBeInstanceOf(PeerAgentFailure);
      expect(failure).toMatchObject({
        code: 'AGENT_FAILED',
        retryable: false,
        message: 'FlakyAgent failed: boom',
      });
      expect(failure.runs.map((r) => r.run_id)).toEqual(['t-flaky:FlakyAgent']);
      expect(failure.routing).toMatchObject({ agent_name: 'FlakyAgent', hinted: true });
    });

    it('keeps the class and code of an LLM error thrown inside the agent', async () => {
      failWith = new LlmTimeoutError('gpt-4.1', 100);

      await expect(runFlaky()).resolves.toMatchObject({ code: 'LLM_TIMEOUT', retryable: true });
    });

    it('makes AGENT_FAILED retryable when a transient LLM error caused it', async () => {
      failWith = new Error('could not finish', { cause: new LlmTimeoutError('gpt-4.1', 100) });

      await expect(runFlaky()).resolves.toMatchObject({ code: 'AGENT_FAILED', retryable: true });
    });
  });
});
