import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { OpenAiTestServer } from './openai-test-server';

describe('OpenAiTestServer request recording', () => {
  let server: OpenAiTestServer;
  const chat = (): ChatOpenAI =>
    new ChatOpenAI({
      model: 'gpt-4.1',
      apiKey: 'sk-recorded',
      configuration: { baseURL: server.url },
      maxRetries: 0,
      temperature: 0.2,
    });

  beforeAll(async () => {
    server = await OpenAiTestServer.start();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('records each request with its headers, body, reply source, status and times', async () => {
    server.enqueue({ content: 'queued' });
    server.when({}, { content: 'ruled' });

    await chat().invoke([new SystemMessage('You are terse.'), new HumanMessage('first')]);
    await chat().invoke('second');

    const [first, second] = server.chatRequests();
    expect(first).toMatchObject({
      seq: 1,
      kind: 'chat',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'gpt-4.1',
      systemText: 'You are terse.',
      lastUserText: 'first',
      stream: false,
      authorization: 'Bearer sk-recorded',
      replySource: 'queue',
      status: 200,
      held: false,
      aborted: false,
    });
    expect(first.headers['content-type']).toMatch(/application\/json/);
    expect(first.body).toMatchObject({ model: 'gpt-4.1', temperature: 0.2 });
    expect(first.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(first.finishedAt).toBeGreaterThanOrEqual(first.receivedAt);
    expect(second).toMatchObject({ seq: 2, replySource: 'rule', lastUserText: 'second' });
  });

  it('records requests that are not chat completions too', async () => {
    await fetch(`${server.url}/models`);
    await fetch(`${server.url}/embeddings`, { method: 'POST', body: '{}' });

    expect(server.requests.map((r) => [r.kind, r.method, r.path, r.status])).toEqual([
      ['models', 'GET', '/v1/models', 200],
      ['other', 'POST', '/v1/embeddings', 404],
    ]);
    expect(server.chatRequests()).toEqual([]);
  });

  it('forgets rules, queued replies and records on reset', async () => {
    server.when({}, { content: 'rule' });
    server.enqueue({ content: 'queued' });
    await chat().invoke('before');

    server.reset();

    expect(server.requests).toEqual([]);
    await expect(chat().invoke('after')).rejects.toMatchObject({ status: 500 });
    expect(server.chatRequests()).toEqual([
      expect.objectContaining({ seq: 1, replySource: 'unscripted' }),
    ]);
  });
});
