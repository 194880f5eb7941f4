import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { tavily } from '@tavily/core';
import { z } from 'zod';
import { TavilyTestServer } from '../search-server/tavily-test-server';
import { installDemoScript } from './demo-script';
import { OpenAiTestServer } from './openai-test-server';

const ROUTER_PROMPT = [
  'You are the Peer Agent. Pick the agent for the task.',
  'Agents:',
  '- ContentAgent: writes articles, summaries and explanations with web research.',
  '- CodeAgent: writes programs and code snippets.',
  'Answer with strict JSON: {"agent_name": string, "agent_type": string, "confidence": number, "reasoning": string}.',
].join('\n');
const CODE_PROMPT =
  'You are the CodeAgent. Answer with JSON only: {"language": string, "description": string, "code": string}.';

const routing = z.object({
  agent_name: z.string(),
  agent_type: z.string(),
  confidence: z.number(),
  reasoning: z.string(),
});

describe('installDemoScript', () => {
  let llm: OpenAiTestServer;
  let search: TavilyTestServer;
  const chat = (): ChatOpenAI =>
    new ChatOpenAI({
      model: 'gpt-4.1-mini',
      apiKey: 'dev-llm',
      configuration: { baseURL: llm.url },
      maxRetries: 0,
      streamUsage: true,
    });
  const route = (task: string): Promise<z.infer<typeof routing>> =>
    chat()
      .withStructuredOutput(routing)
      .invoke([new SystemMessage(ROUTER_PROMPT), new HumanMessage(task)]);

  beforeAll(async () => {
    [llm, search] = await Promise.all([OpenAiTestServer.start(), TavilyTestServer.start()]);
    installDemoScript(llm, search);
  });
  afterAll(() => Promise.all([llm.close(), search.close()]));

  it('routes a programming task to the CodeAgent with confidence', async () => {
    const decision = await route(
      'Write a Python function that returns the first n Fibonacci numbers',
    );

    expect(decision).toMatchObject({ agent_name: 'CodeAgent', agent_type: 'code' });
    expect(decision.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('routes a writing task to the ContentAgent', async () => {
    const decision = await route('Write a blog post explaining the history of the printing press');

    expect(decision).toMatchObject({ agent_name: 'ContentAgent', agent_type: 'content' });
  });

  it('routes a task it cannot place with low confidence', async () => {
    const decision = await route('banana umbrella seventeen');

    expect(decision.confidence).toBeLessThan(0.5);
  });

  it('answers a router that forces a function call with that call', async () => {
    const decision = await chat()
      .withStructuredOutput(routing, { method: 'functionCalling', name: 'route_task' })
      .invoke([
        new SystemMessage(ROUTER_PROMPT),
        new HumanMessage('Implement a sorting algorithm in TypeScript'),
      ]);

    expect(decision).toMatchObject({ agent_name: 'CodeAgent' });
  });

  it('gives the code agent a small program as valid JSON', async () => {
    const reply = await chat().invoke(
      [
        new SystemMessage(CODE_PROMPT),
        new HumanMessage('Write a typescript function that lists primes'),
      ],
      { response_format: { type: 'json_object' } },
    );

    const answer = JSON.parse(reply.content as string) as {
      language: string;
      description: string;
      code: string;
    };
    expect(answer.language).toBe('typescript');
    expect(answer.description).toMatch(/prime/i);
    expect(answer.code).toContain('function primesUpTo(limit: number)');
  });

  it('streams the content agent markdown that cites the sources it was given', async () => {
    const found = await tavily({ apiKey: 'dev', apiBaseURL: search.url }).search('printing press', {
      maxResults: 2,
    });
    const sources = found.results
      .map((r, i) => `[${i + 1}] ${r.title} ${r.url}\n${r.content}`)
      .join('\n\n');

    let markdown = '';
    const stream = await chat().stream([
      new SystemMessage('You are the ContentAgent. Write markdown and cite sources as [n].'),
      new HumanMessage(`History of the printing press\n\nSources:\n${sources}`),
    ]);
    for await (const chunk of stream) markdown += chunk.content as string;

    expect(markdown).toMatch(/^# History of the printing press/);
    expect(markdown).toContain('[1]');
    expect(markdown).toContain('[2]');
    for (const result of found.results) expect(markdown).toContain(result.url);
  });
});
