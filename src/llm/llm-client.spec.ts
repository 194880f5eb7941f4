import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import type { ChatOpenAI } from '@langchain/openai';
import type { llmConfig } from '../config/namespaces';
import type { ChatModelFactory } from './chat-model.factory';
import { LlmClient, type ChatRequest } from './llm-client';
import { LlmPricing } from './llm-pricing';

type Cfg = ConfigType<typeof llmConfig>;

/** One scripted answer of the fake model: the text pieces it streams (or sends whole). */
type Answer = string[];

/** The chat model edge, answering from a script and counting the calls it gets. */
class ScriptedModel {
  calls = 0;

  constructor(private readonly answers: Answer[]) {}

  invoke(): Promise<AIMessage> {
    const pieces = this.next();
    return Promise.resolve(
      new AIMessage({
        content: pieces.join(''),
        response_metadata: { finish_reason: 'stop' },
        usage_metadata: { input_tokens: 10, output_tokens: 1, total_tokens: 11 },
      }),
    );
  }

  stream(): Promise<AsyncIterable<AIMessageChunk>> {
    const pieces = this.next();
    async function* chunks(): AsyncGenerator<AIMessageChunk> {
      for (const piece of pieces) {
        await Promise.resolve();
        yield new AIMessageChunk({ content: piece });
      }
      yield new AIMessageChunk({ content: '', response_metadata: { finish_reason: 'stop' } });
    }
    return Promise.resolve(chunks());
  }

  private next(): Answer {
    const answer = this.answers[Math.min(this.calls, this.answers.length - 1)];
    this.calls += 1;
    return answer;
  }
}

function clientFor(model: ScriptedModel, maxRetries: number): LlmClient {
  const cfg = { timeoutMs: 5_000, maxRetries, priceOverrides: {} } as unknown as Cfg;
  const models = {
    isConfigured: () => true,
    modelName: () => 'gpt-4.1',
    chatModel: () => model as unknown as ChatOpenAI,
  } as unknown as ChatModelFactory;
  return new LlmClient(models, new LlmPricing(cfg), cfg, {
    initialDelayMs: 0,
    maxDelayMs: 0,
    maxRetryAfterMs: 0,
  });
}

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  role: 'content',
  messages: [{ role: 'user', content: 'Write a poem' }],
  signal: new AbortController().signal,
  ...overrides,
});

describe('LlmClient and empty answers', () => {
  // The retry warnings are expected here; the assertions say what matters.
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    ['an empty', ['']],
    ['a whitespace-only', [' \n', '\t ']],
  ])(
    'fails %s answer as a transient LLM_EMPTY_RESPONSE once every retry was empty',
    async (_, answer) => {
      const model = new ScriptedModel([answer]);

      await expect(clientFor(model, 2).chat(request())).rejects.toMatchObject({
        name: 'LlmEmptyResponseError',
        code: 'LLM_EMPTY_RESPONSE',
        retryable: true,
        details: { model: 'gpt-4.1', finish_reason: 'stop' },
      });
      expect(model.calls).toBe(3);
    },
  );

  it('retries an empty answer and returns the next one that has text', async () => {
    const model = new ScriptedModel([[''], ['A poem.']]);

    await expect(clientFor(model, 1).chat(request())).resolves.toMatchObject({
      text: 'A poem.',
      attempts: 2,
    });
  });

  it('streams nothing for a blank streamed answer and retries it', async () => {
    const model = new ScriptedModel([
      ['  ', '\n\n'],
      ['\n', 'Roses ', 'are red.'],
    ]);
    const deltas: string[] = [];

    const result = await clientFor(model, 1).chat(
      request({ onDelta: (text) => deltas.push(text) }),
    );

    expect(result).toMatchObject({ text: '\nRoses are red.', attempts: 2 });
    // The held-back leading newline goes out with the first real text, so nothing is lost.
    expect(deltas).toEqual(['\nRoses ', 'are red.']);
  });

  it('records the usage of an empty answer, since the provider bills it', async () => {
    const model = new ScriptedModel([['']]);
    const recorded: number[] = [];

    await expect(
      clientFor(model, 0).chat(
        request({ usage: { record: (usage) => recorded.push(usage.total_tokens) } }),
      ),
    ).rejects.toMatchObject({ code: 'LLM_EMPTY_RESPONSE' });
    expect(recorded).toEqual([11]);
  });
});
