import { installDemoScript, OpenAiTestServer, TavilyTestServer } from '@agent-orchestrator/testing';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput } from '../../libs/testing/src/agents/agent-events';
import { PeerAgentService } from '../../src/agents/peer-agent.service';

/** `npm run dev:llm` serves this script; the agents' prompts must keep working with it. */
describe('Peer Agent against the dev:llm demo script', () => {
  let llm: OpenAiTestServer;
  let search: TavilyTestServer;
  let moduleRef: TestingModule;
  let peer: PeerAgentService;

  beforeAll(async () => {
    [llm, search] = await Promise.all([OpenAiTestServer.start(), TavilyTestServer.start()]);
    installDemoScript(llm, search);
    moduleRef = await createAgentsTestingModule({
      env: {
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'dev-llm',
        TAVILY_BASE_URL: search.url,
        TAVILY_API_KEY: 'dev',
      },
    });
    peer = moduleRef.get(PeerAgentService);
  });
  afterAll(async () => {
    await moduleRef.close();
    await Promise.all([llm.close(), search.close()]);
  });

  it('routes and completes a coding task', async () => {
    const result = await peer.run(peerAgentInput('Write a Python function for fibonacci numbers'));

    expect(result.routing.agent_name).toBe('CodeAgent');
    expect(result.output.code_language).toBe('python');
    expect(result.output.raw_output).toMatch(/^### Description\n\n.+\n\n### Code\n\n```python\n/);
  });

  it('routes and completes a writing task with citations to real search results', async () => {
    const result = await peer.run(peerAgentInput('Write a blog post about Redis streams'));

    expect(result.routing.agent_name).toBe('ContentAgent');
    expect(result.output.tools_used).toEqual(['web_search']);
    expect(result.output.citations.length).toBeGreaterThan(0);
    for (const citation of result.output.citations) {
      // The default search results live on example.* domains; the demo cites what it was given.
      expect(citation.url).toMatch(/^https:\/\/[a-z.]*example\.(com|org|net)\//);
      expect(result.output.raw_output).toContain(citation.url);
    }
    expect(result.output.raw_output).not.toContain('## Sources');
  });

  it('gives the agent the previous answer as a chat turn, so a follow-up can work on it', async () => {
    const first = await peer.run(peerAgentInput('Write a blog post about Redis streams'));
    llm.reset();
    installDemoScript(llm, search);

    await peer.run(
      peerAgentInput('Now make it shorter', {
        agentHint: 'ContentAgent',
        history: [
          { role: 'user', content: 'Write a blog post about Redis streams' },
          { role: 'assistant', content: first.output.raw_output, agent_name: 'ContentAgent' },
        ],
      }),
    );

    const call = llm.lastChatRequest();
    expect(call?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(call?.messages[2].content).toBe(first.output.raw_output);
    expect(call?.lastUserText).toBe('Now make it shorter');
  });
});
