import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI, type ChatOpenAIFields } from '@langchain/openai';
import { z } from 'zod';
import { OpenAiTestServer } from './openai-test-server';
import { estimateTokens } from './usage-estimate';

describe('OpenAiTestServer scripted replies', () => {
  let server: OpenAiTestServer;
  const chat = (fields: ChatOpenAIFields = {}): ChatOpenAI =>
    new ChatOpenAI({
      model: 'gpt-4.1-mini',
      apiKey: 'test',
      configuration: { baseURL: server.url },
      maxRetries: 0,
      ...fields,
    });

  beforeAll(async () => {
    server = await OpenAiTestServer.start();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('answers with the reply of the rule that matches the last user message', async () => {
    server.when({ lastUserIncludes: 'weather' }, { content: 'Sunny.' });
    server.when({ lastUserIncludes: 'time' }, { content: 'Noon.' });

    const reply = await chat().invoke('What is the weather?');

    expect(reply.content).toBe('Sunny.');
    expect(reply.response_metadata).toMatchObject({
      model_name: 'gpt-4.1-mini',
      finish_reason: 'stop',
    });
    expect(reply.id).toMatch(/^chatcmpl-/);
  });

  it('prefers the newest matching rule', async () => {
    server.when({}, { content: 'general' });
    server.when({ model: 'gpt-4o' }, { content: 'specific' });

    expect((await chat({ model: 'gpt-4o' }).invoke('hi')).content).toBe('specific');
    expect((await chat({ model: 'gpt-4.1' }).invoke('hi')).content).toBe('general');
  });

  it('serves queued replies in order before any rule', async () => {
    server.when({}, { content: 'from the rule' });
    server.enqueue({ content: 'first' }, { content: 'second' });

    const replies = [];
    for (let i = 0; i < 3; i++) replies.push((await chat().invoke('next')).content);

    expect(replies).toEqual(['first', 'second', 'from the rule']);
  });

  it('stops applying a rule once its times are used up', async () => {
    server.when({}, { content: 'later' });
    const rule = server.when({}, { content: 'early' }, { times: 2 });

    const replies = [];
    for (let i = 0; i < 3; i++) replies.push((await chat().invoke('go')).content);

    expect(replies).toEqual(['early', 'early', 'later']);
    expect(rule).toMatchObject({ hits: 2, exhausted: true });
  });

  it('matches on the system prompt and on any message', async () => {
    server.when({ systemIncludes: 'pirate' }, { content: 'Arr.' });
    server.when({ anyIncludes: 'secret word' }, { content: 'Found it.' });

    const pirate = await chat().invoke([
      new SystemMessage('Talk like a pirate.'),
      new HumanMessage('Hello'),
    ]);
    const secret = await chat().invoke([
      new SystemMessage('Be brief.'),
      new HumanMessage('the secret word is kiwi'),
      new HumanMessage('what was it?'),
    ]);

    expect(pirate.content).toBe('Arr.');
    expect(secret.content).toBe('Found it.');
  });

  it('builds the content from the request when the script gives a function', async () => {
    server.when({}, { content: (req) => `You said: ${req.lastUserText}` });

    expect((await chat().invoke('ping')).content).toBe('You said: ping');
  });

  it('decides the whole reply per request when the script gives a function', async () => {
    server.when({}, (req) =>
      req.model === 'gpt-4o' ? { content: 'big' } : { fault: { type: 'bad_request' } },
    );

    expect((await chat({ model: 'gpt-4o' }).invoke('x')).content).toBe('big');
    await expect(chat().invoke('x')).rejects.toMatchObject({ status: 400 });
  });

  it('fails loudly, without inviting a retry, when nothing is scripted', async () => {
    const error = await chat()
      .invoke('unscripted question')
      .catch((err: unknown) => err);

    expect(error).toMatchObject({ status: 500, code: 'test_script_error' });
    expect((error as Error).message).toMatch(/no scripted reply matched.*unscripted question/);
    expect(server.chatRequests()[0].replySource).toBe('unscripted');
  });

  it('answers unmatched requests with the default reply once one is set', async () => {
    server.setDefaultReply({ content: 'fallback' });
    server.when({ lastUserIncludes: 'special' }, { content: 'special' });

    expect((await chat().invoke('anything')).content).toBe('fallback');
    expect(server.lastChatRequest()?.replySource).toBe('default');
  });

  it('reports usage estimated from the characters of the prompt and of the reply', async () => {
    const prompt = 'Count the characters of this prompt, please.';
    const content = 'There are quite a few of them, I would say.';
    server.when({}, { content });

    const reply = await chat().invoke(prompt);

    const input = estimateTokens(prompt);
    const output = estimateTokens(content);
    expect(reply.usage_metadata).toMatchObject({
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
    });
  });

  it('reports the usage the script gives instead of the estimate', async () => {
    server.when({}, { content: 'ok', usage: { prompt_tokens: 1000, completion_tokens: 20 } });

    const reply = await chat().invoke('hi');

    expect(reply.usage_metadata).toMatchObject({
      input_tokens: 1000,
      output_tokens: 20,
      total_tokens: 1020,
    });
  });

  it('returns the scripted content in JSON mode and records the response format', async () => {
    server.when({}, { content: '{"answer":42}' });

    const reply = await chat().invoke('Reply in JSON.', {
      response_format: { type: 'json_object' },
    });

    expect(JSON.parse(reply.content as string)).toEqual({ answer: 42 });
    expect(server.lastChatRequest()?.responseFormat).toEqual({ type: 'json_object' });
  });

  it('answers a JSON schema request made through withStructuredOutput', async () => {
    server.when({}, { content: '{"agent_name":"CodeAgent","confidence":0.9}' });
    const schema = z.object({ agent_name: z.string(), confidence: z.number() });

    const decision = await chat()
      .withStructuredOutput(schema, { name: 'routing' })
      .invoke('route this');

    expect(decision).toEqual({ agent_name: 'CodeAgent', confidence: 0.9 });
    expect(server.lastChatRequest()?.responseFormat).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'routing' },
    });
  });

  it('returns a scripted tool call to a request that declares tools', async () => {
    server.when({}, { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
    const weatherTool = {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        description: 'Current weather of a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
      },
    };

    const reply = await chat().bindTools([weatherTool]).invoke('Weather in Paris?');

    expect(reply.tool_calls).toEqual([
      expect.objectContaining({
        name: 'get_weather',
        args: { city: 'Paris' },
        id: expect.stringMatching(/^call_/),
      }),
    ]);
    expect(reply.response_metadata.finish_reason).toBe('tool_calls');
    expect(server.lastChatRequest()?.tools.map((t) => t.function?.name)).toEqual(['get_weather']);
  });

  it('refuses to script a tool call for a request that declared no tools', async () => {
    server.when({}, { toolCalls: [{ name: 'get_weather', arguments: {} }] });

    await expect(chat().invoke('hi')).rejects.toThrow(/declared no tools/);
  });

  it('lists the configured models', async () => {
    const response = await fetch(`${server.url}/models`);

    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: { id: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual([
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4o',
      'gpt-4o-mini',
    ]);
  });
});

describe('OpenAiTestServer with a required key', () => {
  let server: OpenAiTestServer;

  beforeAll(async () => {
    server = await OpenAiTestServer.start({ requireKey: 'sk-right', models: ['test-model'] });
    server.setDefaultReply({ content: 'welcome' });
  });
  afterAll(() => server.close());

  const chat = (apiKey: string): ChatOpenAI =>
    new ChatOpenAI({
      model: 'test-model',
      apiKey,
      configuration: { baseURL: server.url },
      maxRetries: 0,
    });

  it('rejects a wrong key with a 401 in OpenAI error shape', async () => {
    await expect(chat('sk-wrong').invoke('hi')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      type: 'invalid_request_error',
    });
  });

  it('answers the right key', async () => {
    expect((await chat('sk-right').invoke('hi')).content).toBe('welcome');
    expect(server.lastChatRequest()?.authorization).toBe('Bearer sk-right');
  });
});
