import { tavily } from '@tavily/core';
import { TavilyTestServer } from './tavily-test-server';

describe('TavilyTestServer', () => {
  let server: TavilyTestServer;
  const client = (apiKey = 'tvly-test') => tavily({ apiKey, apiBaseURL: server.url });

  beforeAll(async () => {
    server = await TavilyTestServer.start();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('answers an unscripted query with plausible results, as many as asked for', async () => {
    const found = await client().search('rust async runtimes', { maxResults: 3 });

    expect(found.query).toBe('rust async runtimes');
    expect(found.results).toHaveLength(3);
    for (const result of found.results) {
      expect(result).toMatchObject({
        title: expect.stringMatching(/rust async runtimes/i),
        url: expect.stringMatching(/^https:\/\/[a-z.]*example\.(com|org|net)\//),
        content: expect.stringContaining('rust async runtimes'),
        score: expect.any(Number),
      });
    }
    expect(found.results.map((r) => r.score)).toEqual(
      [...found.results.map((r) => r.score)].sort((a, b) => b - a),
    );
    expect(typeof found.responseTime).toBe('number');
    expect(found.images).toEqual([]);
  });

  it('derives the same results from the same query every time', async () => {
    const first = await client().search('deterministic tests');
    const second = await client().search('deterministic tests');

    expect(second.results).toEqual(first.results);
    expect(first.results).toHaveLength(5);
  });

  it('answers with scripted results by rule and by queue, cut to max_results', async () => {
    const scripted = [1, 2, 3].map((n) => ({
      title: `Result ${n}`,
      url: `https://example.com/${n}`,
      content: `Content ${n}`,
    }));
    server.when({ queryIncludes: 'nest' }, { results: scripted, answer: 'NestJS is a framework.' });
    server.enqueue({
      results: [{ title: 'Queued', url: 'https://example.com/q', content: 'q', score: 0.5 }],
    });

    const queued = await client().search('nestjs queues');
    const ruled = await client().search('NestJS modules', {
      maxResults: 2,
      includeAnswer: true,
      includeRawContent: 'markdown',
    });

    expect(queued.results).toEqual([expect.objectContaining({ title: 'Queued', score: 0.5 })]);
    expect(ruled.results.map((r) => r.title)).toEqual(['Result 1', 'Result 2']);
    expect(ruled.answer).toBe('NestJS is a framework.');
    expect(ruled.results[0].rawContent).toContain('Content 1');
    expect(server.searchRequests().map((r) => r.replySource)).toEqual(['queue', 'rule']);
  });

  it('records each search with its query, options and key', async () => {
    await client().search('what to record', {
      maxResults: 4,
      searchDepth: 'advanced',
      topic: 'news',
    });

    expect(server.searchRequests()).toEqual([
      expect.objectContaining({
        kind: 'search',
        method: 'POST',
        path: '/search',
        query: 'what to record',
        maxResults: 4,
        searchDepth: 'advanced',
        topic: 'news',
        apiKey: 'tvly-test',
        status: 200,
      }),
    ]);
    expect(server.searchRequests()[0].headers['x-client-source']).toBe('tavily-js');
  });

  it('turns a scripted rate limit into a client error, with Retry-After on the wire', async () => {
    server.enqueue(
      { fault: { type: 'rate_limit', retryAfterS: 3 } },
      { fault: { type: 'rate_limit', retryAfterS: 3 } },
    );

    await expect(client().search('too often')).rejects.toThrow(/excessive requests/);
    const response = await fetch(`${server.url}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tvly-test' },
      body: JSON.stringify({ query: 'too often' }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });

  it('turns a scripted server error into a client error', async () => {
    server.enqueue({ fault: { type: 'server_error', message: 'search backend down' } });

    await expect(client().search('anything')).rejects.toThrow(/search backend down/);
  });

  it('makes the client fail on a malformed JSON body', async () => {
    server.enqueue({ fault: { type: 'malformed_json' } });

    await expect(client().search('anything')).rejects.toThrow();
  });

  it('lets the client time out on a slow first byte', async () => {
    server.enqueue({ fault: { type: 'slow_first_byte', delayMs: 2_000 } });

    await expect(client().search('slow', { timeout: 0.1 })).rejects.toThrow(/timed out/);
    await server.idle();
    expect(server.searchRequests()[0]).toMatchObject({ aborted: true, fault: 'slow_first_byte' });
  });

  it('holds a search until released', async () => {
    const hold = server.holdNext({ queryIncludes: 'held' });

    const pending = client().search('held search');
    await hold.reached;
    hold.release();

    expect((await pending).results.length).toBeGreaterThan(0);
  });
});

describe('TavilyTestServer with a required key', () => {
  let server: TavilyTestServer;

  beforeAll(async () => {
    server = await TavilyTestServer.start({ requireKey: 'tvly-right' });
  });
  afterAll(() => server.close());

  it('rejects a wrong key with a 401', async () => {
    await expect(
      tavily({ apiKey: 'tvly-wrong', apiBaseURL: server.url }).search('x'),
    ).rejects.toThrow(/invalid API key/);
    expect(server.requests[0].status).toBe(401);
  });

  it('answers the right key', async () => {
    const found = await tavily({ apiKey: 'tvly-right', apiBaseURL: server.url }).search('x', {
      maxResults: 1,
    });

    expect(found.results).toHaveLength(1);
  });
});
