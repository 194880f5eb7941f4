import { defaultSearchResults } from '../search-server/default-search-results';
import type { TavilyTestServer } from '../search-server/tavily-test-server';
import type { ChatReply } from './chat-reply';
import { messageText, type RecordedChatRequest } from './recorded-chat-request';
import type { OpenAiTestServer } from './openai-test-server';

export interface DemoScriptOptions {
  /** Pause between streamed chunks, so a demo shows text arriving; 0 keeps tests fast. */
  chunkDelayMs?: number;
}

/**
 * A scripted stand-in for the paid APIs that makes the whole product usable offline: the
 * router gets a routing decision from a keyword heuristic, the code agent a small program,
 * the content agent markdown citing its sources. It imitates answers; it decides nothing.
 */
export function installDemoScript(
  llm: OpenAiTestServer,
  search: TavilyTestServer,
  options: DemoScriptOptions = {},
): void {
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  // Rules are checked newest first: the router rule goes last so it wins over the code rule,
  // whose keywords a router prompt listing a CodeAgent may also contain.
  llm.setDefaultReply({ content: contentReply, chunkDelayMs });
  llm.when(isCodeRequest, (req) => structuredReply(req, codeReply(req), chunkDelayMs));
  llm.when(isRouterRequest, (req) => structuredReply(req, routingDecision(req), chunkDelayMs));
  // Searches get the server's start-up default: plausible results derived from each query.
  search.setDefaultReply(undefined);
}

export function isRouterRequest(req: RecordedChatRequest): boolean {
  return promptText(req).includes('agent_name');
}

export function isCodeRequest(req: RecordedChatRequest): boolean {
  const text = promptText(req);
  return ['language', 'description', 'code', 'json'].every((word) =>
    new RegExp(`\\b${word}\\b`, 'i').test(text),
  );
}

export interface RoutingDecision {
  agent_name: string;
  agent_type: string;
  confidence: number;
  reasoning: string;
}

const STRONG_CODE_WORDS =
  /\b(code|function|script|program|implement|class|method|bug|debug|refactor|regex|sql|algorithm|snippet|unit tests?|cli)\b/gi;
const LANGUAGE_WORDS =
  /\b(python|typescript|javascript|node|java|go|golang|rust|bash|c\+\+|c#)\b/gi;
const CONTENT_WORDS =
  /\b(write|article|blog|post|essay|summary|summarize|summarise|explain|describe|research|report|story|email|newsletter|overview|guide|compare|history|news|tweet)\b/gi;

/** Scores the task's keywords; a task with none gets a low confidence, as a real router would. */
export function routingDecision(req: RecordedChatRequest): RoutingDecision {
  const task = req.lastUserText;
  const agents = listedAgents(req);
  const code = matches(task, STRONG_CODE_WORDS);
  const languages = matches(task, LANGUAGE_WORDS);
  const content = matches(task, CONTENT_WORDS);
  const codeScore = code.length * 2 + languages.length;
  const contentScore = content.length * 2;
  if (codeScore === 0 && contentScore === 0) {
    const agent = pickAgent(agents, 'Content');
    return {
      agent_name: agent,
      agent_type: agentType(agent),
      confidence: 0.3,
      reasoning: 'The task names no recognisable deliverable, so no agent is a confident match.',
    };
  }
  const isCode = codeScore > contentScore;
  const agent = pickAgent(agents, isCode ? 'Code' : 'Content');
  const margin = Math.abs(codeScore - contentScore);
  const cues = isCode ? [...code, ...languages] : content;
  return {
    agent_name: agent,
    agent_type: agentType(agent),
    confidence: Math.min(0.97, Number((0.7 + 0.08 * margin).toFixed(2))),
    reasoning: `The task mentions ${cues.map((c) => `"${c}"`).join(', ')}, which is ${isCode ? 'a programming' : 'a writing'} request for the ${agent}.`,
  };
}

export interface CodeAnswer {
  language: string;
  description: string;
  code: string;
}

export function codeReply(req: RecordedChatRequest): CodeAnswer {
  const task = req.lastUserText.toLowerCase();
  const language = /\btypescript\b/.test(task)
    ? 'typescript'
    : /\b(javascript|node)\b/.test(task)
      ? 'javascript'
      : 'python';
  const program = PROGRAMS.find((p) => p.cue.test(task)) ?? PROGRAMS[PROGRAMS.length - 1];
  return {
    language,
    description: program.description,
    code: language === 'python' ? program.python : program.typescript(language === 'typescript'),
  };
}

export function contentReply(req: RecordedChatRequest): string {
  const task = req.lastUserText.split('\n')[0].trim() || 'the requested topic';
  const topic = task.length > 80 ? `${task.slice(0, 77)}...` : task;
  const sources = citedSources(req, topic);
  return [
    `# ${topic.charAt(0).toUpperCase()}${topic.slice(1)}`,
    '',
    `This overview brings together what the sources say about ${topic} [1], and where they add detail or disagree [2].`,
    '',
    '## Key points',
    '',
    `- The background and the main ideas are laid out clearly in the first source [1].`,
    `- Practical examples and trade-offs are discussed in the second source [2].`,
    `- Both agree that the details depend on the context in which it is applied [1], [2].`,
    '',
    '## Summary',
    '',
    `In short, ${topic} is best understood by starting with the fundamentals [1] and then looking at how practitioners apply them [2].`,
    '',
    '## Sources',
    '',
    ...sources.map((s, i) => `[${i + 1}] ${s.title}: ${s.url}`),
  ].join('\n');
}

/**
 * Structured output arrives as content for JSON mode and JSON schema, and as a tool call when
 * the caller forces a function (LangChain's `functionCalling` method); the demo follows suit.
 */
function structuredReply(req: RecordedChatRequest, value: object, chunkDelayMs: number): ChatReply {
  const forced = forcedToolName(req);
  if (forced) return { toolCalls: [{ name: forced, arguments: { ...value } }], chunkDelayMs };
  return { content: JSON.stringify(value), chunkDelayMs };
}

function forcedToolName(req: RecordedChatRequest): string | undefined {
  const choice = req.toolChoice;
  if (typeof choice === 'object' && choice !== null) {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === 'string') return name;
  }
  const declared = req.tools.map((t) => t.function?.name).filter((n) => n !== undefined);
  return choice === 'required' && declared.length === 1 ? declared[0] : undefined;
}

function promptText(req: RecordedChatRequest): string {
  return req.systemText || req.messages.map((m) => messageText(m)).join('\n');
}

function listedAgents(req: RecordedChatRequest): string[] {
  const found = promptText(req).match(/\b[A-Z][A-Za-z0-9]*Agent\b/g) ?? [];
  const unique = [...new Set(found)];
  return unique.length > 0 ? unique : ['ContentAgent', 'CodeAgent'];
}

function pickAgent(agents: string[], kind: 'Code' | 'Content'): string {
  return agents.find((a) => a.includes(kind)) ?? agents[0];
}

function agentType(agent: string): string {
  return agent.replace(/Agent$/, '').toLowerCase() || agent.toLowerCase();
}

function matches(text: string, pattern: RegExp): string[] {
  return [...new Set((text.match(pattern) ?? []).map((m) => m.toLowerCase()))];
}

function citedSources(req: RecordedChatRequest, topic: string): { title: string; url: string }[] {
  const urls = [
    ...new Set(
      req.messages.flatMap((m) => messageText(m).match(/https?:\/\/[^\s)\]"'<>]+/g) ?? []),
    ),
  ];
  const found = urls.slice(0, 3).map((url, i) => ({ title: `Source ${i + 1}`, url }));
  const fill = defaultSearchResults(topic, 2).map((r) => ({ title: r.title, url: r.url }));
  return found.length >= 2 ? found : [...found, ...fill].slice(0, 2);
}

interface DemoProgram {
  cue: RegExp;
  description: string;
  python: string;
  typescript: (typed: boolean) => string;
}

const PROGRAMS: DemoProgram[] = [
  {
    cue: /fibonacci/,
    description: 'Returns the first n Fibonacci numbers, iteratively.',
    python: [
      'def fibonacci(n: int) -> list[int]:',
      '    numbers, a, b = [], 0, 1',
      '    for _ in range(n):',
      '        numbers.append(a)',
      '        a, b = b, a + b',
      '    return numbers',
      '',
      '',
      'if __name__ == "__main__":',
      '    print(fibonacci(10))',
    ].join('\n'),
    typescript: (typed) =>
      [
        `function fibonacci(n${typed ? ': number' : ''})${typed ? ': number[]' : ''} {`,
        '  const numbers = [];',
        '  let [a, b] = [0, 1];',
        '  for (let i = 0; i < n; i++) {',
        '    numbers.push(a);',
        '    [a, b] = [b, a + b];',
        '  }',
        '  return numbers;',
        '}',
        '',
        'console.log(fibonacci(10));',
      ].join('\n'),
  },
  {
    cue: /prime/,
    description: 'Lists the prime numbers up to a limit with the sieve of Eratosthenes.',
    python: [
      'def primes_up_to(limit: int) -> list[int]:',
      '    sieve = [True] * (limit + 1)',
      '    sieve[0:2] = [False, False]',
      '    for i in range(2, int(limit ** 0.5) + 1):',
      '        if sieve[i]:',
      '            sieve[i * i :: i] = [False] * len(sieve[i * i :: i])',
      '    return [i for i, is_prime in enumerate(sieve) if is_prime]',
      '',
      '',
      'if __name__ == "__main__":',
      '    print(primes_up_to(50))',
    ].join('\n'),
    typescript: (typed) =>
      [
        `function primesUpTo(limit${typed ? ': number' : ''})${typed ? ': number[]' : ''} {`,
        '  const sieve = new Array(limit + 1).fill(true);',
        '  sieve[0] = sieve[1] = false;',
        '  for (let i = 2; i * i <= limit; i++) {',
        '    if (sieve[i]) for (let j = i * i; j <= limit; j += i) sieve[j] = false;',
        '  }',
        '  return sieve.flatMap((isPrime, i) => (isPrime ? [i] : []));',
        '}',
        '',
        'console.log(primesUpTo(50));',
      ].join('\n'),
  },
  {
    cue: /revers/,
    description: 'Reverses a string.',
    python: [
      'def reverse(text: str) -> str:',
      '    return text[::-1]',
      '',
      '',
      'if __name__ == "__main__":',
      '    print(reverse("hello world"))',
    ].join('\n'),
    typescript: (typed) =>
      [
        `function reverse(text${typed ? ': string' : ''})${typed ? ': string' : ''} {`,
        "  return [...text].reverse().join('');",
        '}',
        '',
        "console.log(reverse('hello world'));",
      ].join('\n'),
  },
  {
    cue: /sort/,
    description: 'Sorts a list of numbers with merge sort.',
    python: [
      'def merge_sort(items: list[int]) -> list[int]:',
      '    if len(items) <= 1:',
      '        return items',
      '    middle = len(items) // 2',
      '    left, right = merge_sort(items[:middle]), merge_sort(items[middle:])',
      '    merged = []',
      '    while left and right:',
      '        merged.append(left.pop(0) if left[0] <= right[0] else right.pop(0))',
      '    return merged + left + right',
      '',
      '',
      'if __name__ == "__main__":',
      '    print(merge_sort([5, 3, 8, 1, 9, 2]))',
    ].join('\n'),
    typescript: (typed) =>
      [
        `function mergeSort(items${typed ? ': number[]' : ''})${typed ? ': number[]' : ''} {`,
        '  if (items.length <= 1) return items;',
        '  const middle = Math.floor(items.length / 2);',
        '  const left = mergeSort(items.slice(0, middle));',
        '  const right = mergeSort(items.slice(middle));',
        '  const merged = [];',
        '  while (left.length && right.length) merged.push(left[0] <= right[0] ? left.shift() : right.shift());',
        '  return [...merged, ...left, ...right];',
        '}',
        '',
        'console.log(mergeSort([5, 3, 8, 1, 9, 2]));',
      ].join('\n'),
  },
  {
    cue: /.*/,
    description: 'A small command-line program that greets the name it is given.',
    python: [
      'import sys',
      '',
      '',
      'def greet(name: str) -> str:',
      '    return f"Hello, {name}!"',
      '',
      '',
      'if __name__ == "__main__":',
      '    print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))',
    ].join('\n'),
    typescript: (typed) =>
      [
        `function greet(name${typed ? ': string' : ''})${typed ? ': string' : ''} {`,
        '  return `Hello, ${name}!`;',
        '}',
        '',
        "console.log(greet(process.argv[2] ?? 'world'));",
      ].join('\n'),
  },
];
