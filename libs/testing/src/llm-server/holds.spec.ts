import { ChatOpenAI } from '@langchain/openai';
import { OpenAiTestServer } from './openai-test-server';

describe('OpenAiTestServer holds', () => {
  let server: OpenAiTestServer;
  const chat = (): ChatOpenAI =>
    new ChatOpenAI({
      model: 'gpt-4.1-mini',
      apiKey: 'test',
      configuration: { baseURL: server.url },
      maxRetries: 0,
      streamUsage: true,
    });

  beforeAll(async () => {
    server = await OpenAiTestServer.start();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('keeps a response pending until the test releases it', async () => {
    server.when({}, { content: 'released' });
    const hold = server.holdNext();
    let settled = false;

    const reply = chat()
      .invoke('wait for it')
      .finally(() => (settled = true));
    await hold.reached;

    expect(settled).toBe(false);
    expect(server.lastChatRequest()?.held).toBe(true);
    expect(server.lastChatRequest()?.status).toBeUndefined();
    hold.release();
    expect((await reply).content).toBe('released');
  });

  it('holds only the request that matches', async () => {
    server.setDefaultReply({ content: 'ok' });
    const hold = server.holdNext({ lastUserIncludes: 'slow one' });

    const held = chat().invoke('the slow one');
    await hold.reached;
    expect((await chat().invoke('the fast one')).content).toBe('ok');

    hold.release();
    expect((await held).content).toBe('ok');
  });

  it('sends the first chunks of a stream, then waits', async () => {
    server.when({}, { content: 'first second third fourth' });
    const hold = server.holdNext();

    const stream = await chat().stream('stream slowly');
    const iterator = stream[Symbol.asyncIterator]();
    let early = '';
    while (early === '') {
      const next = await iterator.next();
      if (next.done) break;
      early += next.value.content as string;
    }
    await hold.reached;

    expect(early).toBe('first');
    hold.release();
    let rest = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest += next.value.content as string;
    }
    expect(early + rest).toBe('first second third fourth');
  });

  it('sends holdAfterChunks content chunks before the hold', async () => {
    server.when({}, { content: 'first second third fourth', holdAfterChunks: 3 });
    const hold = server.holdNext();

    const stream = await chat().stream('stream three words first');
    const iterator = stream[Symbol.asyncIterator]();
    await hold.reached;
    let early = '';
    while (early !== 'first second third') {
      const next = await iterator.next();
      if (next.done) break;
      early += next.value.content as string;
    }
    hold.release();
    let rest = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest += next.value.content as string;
    }
    expect({ early, rest }).toEqual({ early: 'first second third', rest: ' fourth' });
  });

  it('answers once the hold promise given in the reply resolves', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    server.enqueue({ content: 'after the gate', hold: gate });

    const reply = chat().invoke('hi');
    open();

    expect((await reply).content).toBe('after the gate');
    expect(server.lastChatRequest()?.held).toBe(true);
  });

  it('survives a client that gives up on a held request', async () => {
    server.setDefaultReply({ content: 'still here' });
    const hold = server.holdNext();
    const controller = new AbortController();

    const abandoned = chat().invoke('cancel me', { signal: controller.signal });
    await hold.reached;
    controller.abort();

    await expect(abandoned).rejects.toThrow();
    await server.idle();
    expect(server.chatRequests()[0]).toMatchObject({ aborted: true, held: true });
    hold.release();
    expect((await chat().invoke('next')).content).toBe('still here');
  });

  it('ends held connections when the server closes', async () => {
    const own = await OpenAiTestServer.start({ defaultReply: { content: 'never sent' } });
    const hold = own.holdNext();
    const client = new ChatOpenAI({
      model: 'gpt-4o',
      apiKey: 'test',
      configuration: { baseURL: own.url },
      maxRetries: 0,
    });

    const pending = client.invoke('hi');
    await hold.reached;
    await own.close();

    await expect(pending).rejects.toThrow();
  });
});
