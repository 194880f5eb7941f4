import { OpenAiTestServer } from '@agent-orchestrator/testing';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput } from '../../libs/testing/src/agents/agent-events';
import { PeerAgentFailure } from '../../src/agents/peer-agent-failure';
import { PeerAgentService } from '../../src/agents/peer-agent.service';

const ROUTER = { systemIncludes: 'agent_name' };
const CODE = { systemIncludes: 'senior backend engineer' };
const CONTENT = { systemIncludes: 'senior technical content writer' };

const decision = (
  agent_name: string,
  agent_type: string,
  confidence: number,
  reasoning: string,
) => ({
  content: JSON.stringify({ agent_name, agent_type, confidence, reasoning }),
});

const CODE_JSON = {
  content: JSON.stringify({
    language: 'python',
    description: 'Reads a file and writes it back.',
    code: 'print("hi")',
  }),
};

describe('Peer Agent routing', () => {
  let llm: OpenAiTestServer;
  let moduleRef: TestingModule;
  let peer: PeerAgentService;

  beforeAll(async () => {
    llm = await OpenAiTestServer.start();
    moduleRef = await createAgentsTestingModule({
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test-key', ROUTER_MIN_CONFIDENCE: '0.6' },
    });
    peer = moduleRef.get(PeerAgentService);
  });
  afterEach(() => llm.reset());
  afterAll(async () => {
    await moduleRef.close();
    await llm.close();
  });

  const routerRequests = () =>
    llm.chatRequests().filter((r) => r.systemText.includes('agent_name'));

  it('routes a Turkish coding task to the CodeAgent on the LLM’s decision, listing the agents in the prompt', async () => {
    llm.when(ROUTER, decision('CodeAgent', 'code', 0.93, 'The user asks for Python code.'));
    llm.when(CODE, CODE_JSON);
    const input = peerAgentInput('Python ile bir dosyayı okuyup yazan kod yaz', {
      taskId: 't-tr-code',
    });

    const result = await peer.run(input);

    expect(result.routing).toEqual({
      agent_name: 'CodeAgent',
      agent_type: 'code',
      confidence: 0.93,
      reasoning: 'The user asks for Python code.',
      hinted: false,
    });
    expect(result.output.code_language).toBe('python');
    const [routerCall] = routerRequests();
    expect(routerCall.lastUserText).toBe('Python ile bir dosyayı okuyup yazan kod yaz');
    expect(routerCall.systemText).toContain('"ContentAgent"');
    expect(routerCall.systemText).toContain('"CodeAgent"');
    expect(routerCall.responseFormat).toEqual({ type: 'json_object' });
    expect(routerCall.body.temperature).toBe(0);
    expect(result.runs.map((r) => r.run_id)).toEqual(['t-tr-code:router', 't-tr-code:CodeAgent']);
  });

  it('routes a Turkish blog request to the ContentAgent', async () => {
    llm.when(ROUTER, decision('ContentAgent', 'content', 0.9, 'A blog post is prose.'));
    llm.when(CONTENT, { content: 'Yapay zeka, öğrenen makinelerdir.\n\n## Giriş\n\nMetin.' });

    const result = await peer.run(peerAgentInput('Yapay zeka hakkında bir blog yaz'));

    expect(result.routing.agent_name).toBe('ContentAgent');
    expect(result.output.raw_output).toContain('Yapay zeka, öğrenen makinelerdir.');
  });

  it('follows the LLM even where keywords would suggest otherwise', async () => {
    // "code" and "Python" are in the task, but the model decides it is an essay.
    llm.when(
      ROUTER,
      decision('ContentAgent', 'content', 0.8, 'An essay about the history of Python.'),
    );
    llm.when(CONTENT, { content: 'Python began in 1991.' });

    const result = await peer.run(
      peerAgentInput('Write an essay on the history of the Python code style guide'),
    );

    expect(result.routing.agent_name).toBe('ContentAgent');
  });

  it('routes an English task and emits routing, agent_started, deltas, agent_finished and usage in order', async () => {
    llm.when(ROUTER, decision('ContentAgent', 'content', 0.9, 'prose'));
    llm.when(CONTENT, { content: 'One two three.' });
    const input = peerAgentInput('Explain photosynthesis');

    const result = await peer.run(input);

    const kinds = input.events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
    expect(kinds).toEqual(['routing', 'agent_started', 'delta', 'agent_finished', 'usage']);
    expect(input.events.at(-1)).toEqual({ type: 'usage', usage: result.usage });
  });

  it('fails with UNKNOWN_TASK_TYPE below the minimum confidence, keeping the router’s reasoning', async () => {
    llm.when(
      ROUTER,
      decision('ContentAgent', 'content', 0.4, 'Could be either; the task is vague.'),
    );
    const input = peerAgentInput('hmm, do the thing', { taskId: 't-low' });

    const failure = await peer.run(input).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(PeerAgentFailure);
    expect(failure).toMatchObject({
      code: 'UNKNOWN_TASK_TYPE',
      retryable: false,
      message: expect.stringContaining('Could be either; the task is vague.'),
      routing: { agent_name: 'ContentAgent', confidence: 0.4 },
    });
    expect((failure as PeerAgentFailure).runs.map((r) => r.run_id)).toEqual(['t-low:router']);
    expect(input.events.some((e) => e.type === 'agent_started')).toBe(false);
  });

  it('fails with UNKNOWN_TASK_TYPE when the router answers Unknown for an out-of-scope task', async () => {
    llm.when(ROUTER, decision('Unknown', 'unknown', 0.95, 'Live weather is outside every agent.'));

    await expect(
      peer.run(peerAgentInput('What is the weather in Ankara now?')),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_TASK_TYPE',
      retryable: false,
      message: expect.stringContaining('Live weather is outside every agent.'),
      details: expect.objectContaining({ agent_name: 'Unknown' }),
    });
  });

  it('fails with UNKNOWN_TASK_TYPE when the router names an agent that does not exist', async () => {
    llm.when(ROUTER, decision('TravelAgent', 'travel', 0.9, 'Sounds like travel planning.'));

    await expect(peer.run(peerAgentInput('Plan my trip to Izmir'))).rejects.toMatchObject({
      code: 'UNKNOWN_TASK_TYPE',
      details: expect.objectContaining({ agent_name: 'TravelAgent' }),
    });
  });

  it('repairs a malformed router reply with one more call that shows the model its mistake', async () => {
    llm.enqueue(
      { content: 'Sure! I think CodeAgent fits best.' },
      {
        content:
          '```json\n{"agent_name":"CodeAgent","agent_type":"code","confidence":0.9,"reasoning":"code"}\n```',
      },
    );
    llm.when(CODE, CODE_JSON);
    const input = peerAgentInput('Write a function that reverses a string', { taskId: 't-repair' });

    const result = await peer.run(input);

    expect(result.routing.agent_name).toBe('CodeAgent');
    const [, repair] = routerRequests();
    expect(repair.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair.messages[2].content).toBe('Sure! I think CodeAgent fits best.');
    expect(repair.lastUserText).toContain('not a valid routing decision');
    const routerRun = result.runs[0];
    expect(routerRun.output).toContain('"agent_name":"CodeAgent"');
    const [first, second] = routerRequests();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
  });

  it('fails permanently with ROUTING_FAILED when the repaired reply is still invalid', async () => {
    llm.when(ROUTER, { content: '{"agent_name": "CodeAgent", "confidence": "very"}' });
    const input = peerAgentInput('Write a haiku', { taskId: 't-bad' });

    const failure = (await peer.run(input).catch((e: unknown) => e)) as PeerAgentFailure;

    expect(failure).toBeInstanceOf(PeerAgentFailure);
    expect(failure).toMatchObject({ code: 'ROUTING_FAILED', retryable: false });
    expect(routerRequests()).toHaveLength(2);
    expect(failure.runs).toEqual([
      expect.objectContaining({
        run_id: 't-bad:router',
        agent_role: 'router',
        output: expect.stringContaining('very'),
      }),
    ]);
    expect(failure.usage.total_tokens).toBeGreaterThan(0);
  });

  it('skips classification for an agent hint, still checking it against the registry', async () => {
    llm.when(CODE, CODE_JSON);
    const input = peerAgentInput('anything at all', { agentHint: 'CodeAgent', taskId: 't-hint' });

    const result = await peer.run(input);

    expect(routerRequests()).toHaveLength(0);
    expect(result.routing).toEqual({
      agent_name: 'CodeAgent',
      agent_type: 'code',
      confidence: 1,
      reasoning: expect.stringContaining('caller chose'),
      hinted: true,
    });
    expect(result.runs.map((r) => r.run_id)).toEqual(['t-hint:CodeAgent']);
  });

  it('rejects a hint naming no registered agent with UNKNOWN_TASK_TYPE, without calling the LLM', async () => {
    await expect(
      peer.run(peerAgentInput('anything', { agentHint: 'NoSuchAgent' })),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_TASK_TYPE',
      details: expect.objectContaining({ agent_name: 'NoSuchAgent' }),
    });
    expect(llm.chatRequests()).toHaveLength(0);
  });

  it('ends with CANCELLED, keeping the router run, when the task is cancelled while the router waits', async () => {
    llm.setDefaultReply(decision('CodeAgent', 'code', 0.9, 'code'));
    const hold = llm.holdNext();
    const controller = new AbortController();
    const pending = peer.run(
      peerAgentInput('Write a parser', { taskId: 't-cancel', signal: controller.signal }),
    );
    await hold.reached;
    controller.abort();

    const failure = (await pending.catch((e: unknown) => e)) as PeerAgentFailure;

    expect(failure).toBeInstanceOf(PeerAgentFailure);
    expect(failure).toMatchObject({ code: 'CANCELLED', retryable: false });
    expect(failure.runs).toEqual([
      expect.objectContaining({ run_id: 't-cancel:router', model: 'gpt-4.1-mini', output: '' }),
    ]);
    hold.release();
  });

  it('ends with CANCELLED when the task is cancelled while the agent streams', async () => {
    llm.when(ROUTER, decision('ContentAgent', 'content', 0.9, 'prose'));
    llm.when(CONTENT, { content: 'one two three four five six' });
    const hold = llm.holdNext(CONTENT);
    const controller = new AbortController();
    const input = peerAgentInput('Explain tides', { signal: controller.signal });
    const pending = peer.run(input);
    await hold.reached;
    controller.abort();

    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED', retryable: false });
    expect(input.events.some((e) => e.type === 'agent_finished')).toBe(false);
    hold.release();
  });

  it('gives the router a short summary of the session history', async () => {
    llm.when(ROUTER, decision('CodeAgent', 'code', 0.9, 'A follow-up to the code.'));
    llm.when(CODE, CODE_JSON);

    await peer.run(
      peerAgentInput('now do it in TypeScript', {
        history: [
          { role: 'user', content: 'Write a Python function that adds two numbers' },
          { role: 'assistant', content: '### Description\n\nAdds.', agent_name: 'CodeAgent' },
        ],
      }),
    );

    const [routerCall] = routerRequests();
    expect(routerCall.systemText).toContain(
      '- user: Write a Python function that adds two numbers',
    );
    expect(routerCall.systemText).toContain('- assistant (CodeAgent): ### Description Adds.');
    expect(routerCall.lastUserText).toBe('now do it in TypeScript');
  });
});
