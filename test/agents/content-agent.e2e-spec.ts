import { OpenAiTestServer, TavilyTestServer } from '@agent-orchestrator/testing';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput, streamedText } from '../../libs/testing/src/agents/agent-events';
import { PeerAgentService } from '../../src/agents/peer-agent.service';

const CONTENT = { systemIncludes: 'senior technical content writer' };

const SOURCES = [
  {
    title: 'Solar basics',
    url: 'https://example.org/solar',
    content: 'Panels turn light into power.',
  },
  {
    title: 'Inverters',
    url: 'https://example.org/inverters',
    content: 'Inverters convert DC to AC.',
  },
  { title: 'Storage', url: 'https://example.org/storage', content: 'Batteries store the surplus.' },
];

describe('ContentAgent', () => {
  let llm: OpenAiTestServer;
  let search: TavilyTestServer;

  beforeAll(async () => {
    [llm, search] = await Promise.all([OpenAiTestServer.start(), TavilyTestServer.start()]);
  });
  afterEach(() => {
    llm.reset();
    search.reset();
  });
  afterAll(() => Promise.all([llm.close(), search.close()]));

  const run = (peer: PeerAgentService, task: string) =>
    peer.run(peerAgentInput(task, { agentHint: 'ContentAgent', taskId: 't-content' }));

  describe('with Tavily configured', () => {
    let moduleRef: TestingModule;
    let peer: PeerAgentService;

    beforeAll(async () => {
      moduleRef = await createAgentsTestingModule({
        env: {
          OPENAI_BASE_URL: llm.url,
          OPENAI_API_KEY: 'test-key',
          TAVILY_API_KEY: 'tvly-test',
          TAVILY_BASE_URL: search.url,
          TAVILY_MAX_RESULTS: '4',
          TAVILY_SEARCH_DEPTH: 'advanced',
          TAVILY_TIMEOUT_MS: '300',
        },
      });
      peer = moduleRef.get(PeerAgentService);
    });
    afterAll(() => moduleRef.close());

    it('searches, gives the model the numbered sources and returns the cited ones as citations', async () => {
      search.enqueue({ results: SOURCES });
      llm.when(CONTENT, {
        content: 'Solar power is growing [1].\n\n## How it works\n\nAn inverter is needed [2].',
      });

      const result = await run(peer, 'Write a blog post about home solar power');

      const [searchCall] = search.searchRequests();
      expect(searchCall).toMatchObject({
        query: 'Write a blog post about home solar power',
        maxResults: 4,
        searchDepth: 'advanced',
        apiKey: 'tvly-test',
      });
      const prompt = llm.lastChatRequest()?.systemText ?? '';
      expect(prompt).toContain('[1] Solar basics\nURL: https://example.org/solar');
      expect(prompt).toContain('[3] Storage');
      expect(result.output.citations).toEqual([
        {
          index: 1,
          title: 'Solar basics',
          url: 'https://example.org/solar',
          snippet: 'Panels turn light into power.',
          source: 'tavily',
        },
        {
          index: 2,
          title: 'Inverters',
          url: 'https://example.org/inverters',
          snippet: 'Inverters convert DC to AC.',
          source: 'tavily',
        },
      ]);
      expect(result.output.raw_output).toBe(
        'Solar power is growing [1].\n\n## How it works\n\nAn inverter is needed [2].\n\n' +
          '## References\n\n- [1] Solar basics — https://example.org/solar\n- [2] Inverters — https://example.org/inverters',
      );
      expect(result.output.tools_used).toEqual(['web_search']);
      expect(result.runs[0].tools_used).toEqual(['web_search']);
      expect(result.output.summary).toBe('Solar power is growing.');
    });

    it('drops a citation to a source that does not exist and renumbers the rest by first use', async () => {
      search.enqueue({ results: SOURCES });
      llm.when(CONTENT, {
        content:
          'Storage matters [3]. Nobody knows [7]. Panels work [1], [3].\n\n' +
          '## Sources\n\n[1] Made-up title: https://fake.example/1\n[7] Invented: https://fake.example/7',
      });

      const result = await run(peer, 'Explain home solar power');

      expect(result.output.raw_output).toBe(
        'Storage matters [1]. Nobody knows. Panels work [2], [1].\n\n' +
          '## References\n\n- [1] Storage — https://example.org/storage\n- [2] Solar basics — https://example.org/solar',
      );
      expect(result.output.citations.map((c) => [c.index, c.url])).toEqual([
        [1, 'https://example.org/storage'],
        [2, 'https://example.org/solar'],
      ]);
      expect(result.output.raw_output).not.toContain('fake.example');
    });

    it('dedupes search results by URL before numbering them', async () => {
      search.enqueue({
        results: [
          SOURCES[0],
          { ...SOURCES[0], url: 'https://example.org/solar#intro', title: 'Again' },
          SOURCES[1],
        ],
      });
      llm.when(CONTENT, { content: 'Two sources [1][2].' });

      const result = await run(peer, 'Explain home solar power');

      expect(llm.lastChatRequest()?.systemText).not.toContain('Again');
      expect(result.output.citations.map((c) => c.title)).toEqual(['Solar basics', 'Inverters']);
    });

    it('appends References listing every source when the model cites none, so a search always yields citations', async () => {
      search.enqueue({ results: SOURCES.slice(0, 2) });
      llm.when(CONTENT, { content: 'Solar power is growing, and inverters make it usable.' });
      const input = peerAgentInput('Explain home solar power', { agentHint: 'ContentAgent' });

      const result = await peer.run(input);

      expect(result.output.raw_output).toBe(
        'Solar power is growing, and inverters make it usable.\n\n' +
          '## References\n\n- [1] Solar basics — https://example.org/solar\n- [2] Inverters — https://example.org/inverters',
      );
      expect(result.output.citations.map((c) => [c.index, c.url])).toEqual([
        [1, 'https://example.org/solar'],
        [2, 'https://example.org/inverters'],
      ]);
      expect(streamedText(input.events)).toBe(result.output.raw_output);
    });

    it('replaces a References section the model wrote without markers by one built from the sources', async () => {
      search.enqueue({ results: SOURCES.slice(0, 1) });
      llm.when(CONTENT, {
        content: 'Panels turn light into power.\n\n## References\n\n- Some book, 2019',
      });

      const result = await run(peer, 'Explain home solar power');

      expect(result.output.raw_output).toBe(
        'Panels turn light into power.\n\n## References\n\n- [1] Solar basics — https://example.org/solar',
      );
      expect(result.output.citations).toHaveLength(1);
      expect(result.output.raw_output).not.toContain('Some book');
    });

    it('streams the answer as deltas, then the References section built from the citations', async () => {
      search.enqueue({ results: SOURCES });
      llm.when(CONTENT, { content: 'Panels make power from light [1]. Inverters convert it [2].' });
      const input = peerAgentInput('Explain home solar power', { agentHint: 'ContentAgent' });

      const result = await peer.run(input);

      const deltas = input.events.filter((e) => e.type === 'delta');
      expect(deltas.length).toBeGreaterThan(2);
      expect(streamedText(input.events)).toBe(result.output.raw_output);
    });

    it('writes without sources and says so when the search fails, and still completes', async () => {
      search.enqueue({ fault: { type: 'server_error' } });
      llm.when(CONTENT, { content: 'Solar panels convert light [1].' });

      const result = await run(peer, 'Explain home solar power');

      expect(result.output.raw_output).toMatch(/^> \*\*Note:\*\* The web search failed/);
      expect(result.output.raw_output).not.toContain('[1]');
      expect(result.output.raw_output).not.toContain('## References');
      expect(result.output.citations).toEqual([]);
      expect(result.output.tools_used).toEqual([]);
      expect(llm.lastChatRequest()?.systemText).toContain('No web sources are available');
    });

    it('gives up on a search slower than TAVILY_TIMEOUT_MS and writes without it', async () => {
      search.enqueue({ fault: { type: 'slow_first_byte', delayMs: 3_000 } });
      llm.when(CONTENT, { content: 'Written anyway.' });

      const result = await run(peer, 'Explain home solar power');

      expect(result.output.raw_output).toContain('The web search failed');
      expect(result.output.citations).toEqual([]);
    });

    it('ends with CANCELLED when the task is cancelled during the search', async () => {
      const hold = search.holdNext();
      const controller = new AbortController();
      const pending = peer.run(
        peerAgentInput('Explain home solar power', {
          agentHint: 'ContentAgent',
          signal: controller.signal,
        }),
      );
      await hold.reached;
      controller.abort();

      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED', retryable: false });
      hold.release();
      expect(llm.chatRequests()).toHaveLength(0);
    });
  });

  describe('without a Tavily key', () => {
    let moduleRef: TestingModule;
    let peer: PeerAgentService;

    beforeAll(async () => {
      moduleRef = await createAgentsTestingModule({
        env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test-key', TAVILY_BASE_URL: search.url },
      });
      peer = moduleRef.get(PeerAgentService);
    });
    afterAll(() => moduleRef.close());

    it('writes without web search, says so in a note and cites nothing', async () => {
      llm.when(CONTENT, {
        content: 'Solar power turns light into electricity.\n\n## Details\n\nMore.',
      });
      const input = peerAgentInput('Explain home solar power', { agentHint: 'ContentAgent' });

      const result = await peer.run(input);

      expect(search.searchRequests()).toHaveLength(0);
      expect(result.output.raw_output).toMatch(
        /^> \*\*Note:\*\* Written without web search: .*TAVILY_API_KEY/,
      );
      expect(result.output).toMatchObject({
        citations: [],
        tools_used: [],
        summary: 'Solar power turns light into electricity.',
      });
      expect(streamedText(input.events)).toBe(result.output.raw_output);
    });
  });
});
