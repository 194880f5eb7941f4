import { OpenAiTestServer } from '@agent-orchestrator/testing';
import type { TestingModule } from '@nestjs/testing';
import { createAgentsTestingModule } from '../../libs/testing/src/agents/agents-testing-module';
import { peerAgentInput, streamedText } from '../../libs/testing/src/agents/agent-events';
import { PeerAgentService } from '../../src/agents/peer-agent.service';

const CODE = { systemIncludes: 'senior backend engineer' };

describe('CodeAgent', () => {
  let llm: OpenAiTestServer;
  let moduleRef: TestingModule;
  let peer: PeerAgentService;

  beforeAll(async () => {
    llm = await OpenAiTestServer.start();
    moduleRef = await createAgentsTestingModule({
      env: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test-key', LLM_CODE_MODEL: 'gpt-4o' },
    });
    peer = moduleRef.get(PeerAgentService);
  });
  afterEach(() => llm.reset());
  afterAll(async () => {
    await moduleRef.close();
    await llm.close();
  });

  const runCode = (reply: string, task = 'Write a function that adds two numbers') => {
    llm.when(CODE, { content: reply });
    const input = peerAgentInput(task, { agentHint: 'CodeAgent', taskId: 't-code' });
    return peer.run(input).then((result) => ({ result, input }));
  };

  it('asks for JSON in JSON mode and assembles the spec’s Description and Code sections', async () => {
    const { result, input } = await runCode(
      JSON.stringify({
        language: 'py',
        description: 'Adds two numbers. Handles ints.',
        code: 'def add(a, b):\n    return a + b\n',
      }),
    );

    expect(llm.lastChatRequest()).toMatchObject({
      model: 'gpt-4o',
      responseFormat: { type: 'json_object' },
    });
    expect(result.output).toEqual({
      summary: 'Adds two numbers. Handles ints.',
      raw_output:
        '### Description\n\nAdds two numbers. Handles ints.\n\n### Code\n\n```python\ndef add(a, b):\n    return a + b\n```',
      code_language: 'python',
      citations: [],
      tools_used: [],
    });
    expect(streamedText(input.events)).toBe(result.output.raw_output);
    expect(result.runs[0]).toMatchObject({
      run_id: 't-code:CodeAgent',
      agent_name: 'CodeAgent',
      agent_role: 'executor',
      model: 'gpt-4o',
      output: result.output.raw_output,
    });
  });

  it('reads JSON wrapped in a ```json fence', async () => {
    const { result } = await runCode(
      'Here you go:\n```json\n{"language": "TS", "description": "Adds.", "code": "export const add = (a: number, b: number) => a + b;"}\n```',
    );

    expect(result.output.code_language).toBe('typescript');
    expect(result.output.raw_output).toContain('```typescript\nexport const add');
  });

  it('falls back to the first fenced code block and its language when there is no JSON', async () => {
    const { result } = await runCode(
      'This adds numbers.\n\n```golang\nfunc Add(a, b int) int { return a + b }\n```\n\n```js\nignored()\n```',
    );

    expect(result.output.code_language).toBe('go');
    expect(result.output.raw_output).toContain(
      '```go\nfunc Add(a, b int) int { return a + b }\n```',
    );
    expect(result.output.raw_output).not.toContain('ignored()');
  });

  it('treats an unparseable reply as Python code, whole', async () => {
    const { result } = await runCode('print(1 + 2)  # no JSON, no fence');

    expect(result.output.code_language).toBe('python');
    expect(result.output.raw_output).toContain('```python\nprint(1 + 2)  # no JSON, no fence\n```');
  });
});
