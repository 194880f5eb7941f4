import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI, type ChatOpenAIFields } from '@langchain/openai';
import { OpenAiTestServer } from './openai-test-server';
import { estimateTokens } from './usage-estimate';

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function parseSse(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

describe('OpenAiTestServer streaming', () => {
  let server: OpenAiTestServer;
  const chat = (fields: ChatOpenAIFields = {}): ChatOpenAI =>
    new ChatOpenAI({
      model: 'gpt-4.1-mini',
      apiKey: 'test',
      configuration: { baseURL: server.url },
      maxRetries: 0,
      streamUsage: true,
      ...fields,
    });
  const content = 'Streaming replies arrive in several pieces, word by word, like a real model.';

  beforeAll(async () => {
    server = await OpenAiTestServer.start();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('streams the content in several chunks and puts the usage on the final chunk', async () => {
    server.when({}, { content });

    const chunks = await collect(await chat().stream('Tell me about streams.'));

    const texts = chunks.map((c) => c.content as string).filter((t) => t.length > 0);
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join('')).toBe(content);
    const withUsage = chunks.filter((c) => c.usage_metadata !== undefined);
    expect(withUsage).toHaveLength(1);
    expect(withUsage[0]).toBe(chunks.at(-1));
    expect(withUsage[0].usage_metadata).toMatchObject({
      input_tokens: estimateTokens('Tell me about streams.'),
      output_tokens: estimateTokens(content),
    });
    expect(server.lastChatRequest()).toMatchObject({ stream: true, includeUsage: true });
  });

  it('speaks the SSE wire format: chunks, a usage chunk without choices, then [DONE]', async () => {
    server.when({}, { content: 'Hello there, general.' });

    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(
      chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o-mini'),
    ).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 1, total_tokens: 7 },
    });
    expect(chunks.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop', delta: {} }] });
  });

  it('leaves the usage chunk out when the request does not ask for it', async () => {
    server.when({}, { content: 'No usage here.' });

    const chunks = await collect(await chat({ streamUsage: false }).stream('hi'));

    expect(chunks.some((c) => c.usage_metadata !== undefined)).toBe(false);
    expect(server.lastChatRequest()?.includeUsage).toBe(false);
  });

  it('streams a scripted tool call in pieces the client reassembles', async () => {
    server.when(
      {},
      {
        toolCalls: [{ name: 'search_web', arguments: { query: 'streaming tool calls in OpenAI' } }],
      },
    );
    const tool = {
      type: 'function' as const,
      function: {
        name: 'search_web',
        parameters: { type: 'object', properties: { query: { type: 'string' } } },
      },
    };

    const chunks = await collect(await chat().bindTools([tool]).stream('search it'));

    const message = chunks.reduce((all, chunk) => all.concat(chunk));
    expect(message.tool_calls).toEqual([
      expect.objectContaining({
        name: 'search_web',
        args: { query: 'streaming tool calls in OpenAI' },
      }),
    ]);
  });

  it('fails a stream the server cuts mid-way', async () => {
    server.when({}, { content, fault: { type: 'cut_stream', afterChunks: 3 } });

    const received: string[] = [];
    const reading = (async () => {
      for await (const chunk of await chat().stream('hi')) received.push(chunk.content as string);
    })();

    await expect(reading).rejects.toThrow();
    const partial = received.join('');
    expect(partial.length).toBeGreaterThan(0);
    expect(content.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(content.length);
    await server.idle();
    expect(server.lastChatRequest()).toMatchObject({ fault: 'cut_stream', aborted: false });
  });
});
