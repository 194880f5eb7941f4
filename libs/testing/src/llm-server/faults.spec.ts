import { ChatOpenAI, type ChatOpenAIFields } from '@langchain/openai';
import { OpenAiTestServer } from './openai-test-server';

// Outside jest the openai client reports a timeout as `TimeoutError: Request timed out.`. Inside
// jest's VM context fetch's AbortError comes from another realm, fails the client's
// `instanceof Error` check and surfaces as `Connection error.`; both mean the client gave up.
const CLIENT_GAVE_UP = /timed out|connection error/i;

describe('OpenAiTestServer faults', () => {
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
  afterEach(() => {
    server.reset();
    server.latencyMs = 0;
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After, which the openai client waits out before succeeding', async () => {
    server.when({}, { content: 'made it' });
    server.when({}, { fault: { type: 'rate_limit', retryAfterS: 0.05 } }, { times: 1 });
    // LangChain's own retries are off; the openai client underneath retries once.
    const model = chat({ configuration: { baseURL: server.url, maxRetries: 1 } });

    const reply = await model.invoke('hi');

    expect(reply.content).toBe('made it');
    expect(server.chatRequests().map((r) => [r.status, r.fault])).toEqual([
      [429, 'rate_limit'],
      [200, undefined],
    ]);
  });

  it('sends the rate limit in OpenAI error shape with its headers', async () => {
    server.enqueue({ fault: { type: 'rate_limit', retryAfterS: 2 } });

    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining('Rate limit reached for gpt-4o'),
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
  });

  it('surfaces a 429 to a client without retries as a rate limit error', async () => {
    server.enqueue({ fault: { type: 'rate_limit', retryAfterS: 1 } });

    await expect(chat().invoke('hi')).rejects.toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
    });
  });

  it('answers a server error with 500, or the status the script gives', async () => {
    server.enqueue(
      { fault: { type: 'server_error' } },
      { fault: { type: 'server_error', status: 503 } },
    );

    await expect(chat().invoke('hi')).rejects.toMatchObject({ status: 500, type: 'server_error' });
    await expect(chat().invoke('hi')).rejects.toMatchObject({ status: 503 });
  });

  it('answers bad requests with 400 and unauthorized ones with 401', async () => {
    server.enqueue(
      { fault: { type: 'bad_request', message: 'messages is broken' } },
      { fault: { type: 'unauthorized' } },
    );

    await expect(chat().invoke('hi')).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('messages is broken'),
    });
    await expect(chat().invoke('hi')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
  });

  it('lets a client time out on a slow first byte, and forgets the abandoned request cleanly', async () => {
    server.enqueue({ content: 'too late', fault: { type: 'slow_first_byte', delayMs: 2_000 } });

    await expect(chat({ timeout: 100 }).invoke('hi')).rejects.toThrow(CLIENT_GAVE_UP);

    await server.idle();
    expect(server.lastChatRequest()).toMatchObject({ aborted: true, fault: 'slow_first_byte' });
    expect(server.lastChatRequest()?.status).toBeUndefined();
  });

  it('answers after a slow first byte when the client waits long enough', async () => {
    server.enqueue({ content: 'worth the wait', fault: { type: 'slow_first_byte', delayMs: 50 } });

    expect((await chat({ timeout: 5_000 }).invoke('hi')).content).toBe('worth the wait');
  });

  it('adds the global latency to every call', async () => {
    server.latencyMs = 2_000;
    server.setDefaultReply({ content: 'slow' });

    await expect(chat({ timeout: 100 }).invoke('hi')).rejects.toThrow(CLIENT_GAVE_UP);
    server.latencyMs = 0;
    expect((await chat().invoke('hi')).content).toBe('slow');
  });

  it('makes the client fail on a malformed JSON body', async () => {
    server.enqueue({ content: 'never parsed', fault: { type: 'malformed_json' } });

    await expect(chat().invoke('hi')).rejects.toThrow(/JSON/);
    expect(server.lastChatRequest()?.status).toBe(200);
  });

  it('makes the client fail on a body cut short', async () => {
    server.enqueue({ content: 'half of this', fault: { type: 'cut_stream', afterChunks: 0 } });

    await expect(chat().invoke('hi')).rejects.toThrow();
  });

  it('answers a body that is not JSON with 400', async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});
