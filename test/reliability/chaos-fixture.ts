import {
  isRouterRequest,
  type OpenAiTestServer,
  type TestBackends,
} from '@agent-orchestrator/testing';
import type { SeededRandom } from '../../libs/testing/src/reliability';

/** The backends of a test as a spawned process sees them. */
export function processBackends(b: TestBackends) {
  return {
    mongoUri: b.mongoUri,
    mongoDbName: b.mongoDbName,
    redisUrl: b.redisUrl,
    redisClusterNodes: b.redisClusterNodes,
    redisKeyPrefix: b.redisKeyPrefix,
  };
}

const CODE_TASKS = [
  'Write a Python function that returns the first n fibonacci numbers',
  'Write a TypeScript function that lists primes up to a limit',
  'Write a JavaScript function to reverse a string',
  'Write a Python script that sorts a list with merge sort',
];
const CONTENT_TASKS = [
  'Write a blog post about the history of tea',
  'Write an article explaining how tides work',
  'Write a short essay comparing trains and planes',
  'Write a newsletter summary about urban gardening',
];

/** A task text the demo script routes with confidence, unique by `n`, code or content at random. */
export function chaosTaskText(random: SeededRandom, n: number): string {
  const base = random.chance(0.5) ? random.pick(CODE_TASKS) : random.pick(CONTENT_TASKS);
  return `${base} (task ${n})`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Submits `texts` in order, the agent calls of the first `held` held mid-call at the LLM server:
 * once this resolves those tasks are running and the rest wait in the queue, which is where a
 * fault should find them. `release` lets the held calls answer.
 */
export async function submitWithFirstHeld(
  llm: OpenAiTestServer,
  submit: (task: string) => Promise<{ body: { task_id?: unknown } }>,
  texts: string[],
  held: number,
): Promise<{ accepted: string[]; release(): void }> {
  const holds = texts
    .slice(0, held)
    .map((text) => llm.holdNext((r) => !isRouterRequest(r) && r.lastUserText.includes(text)));
  const accepted: string[] = [];
  for (const text of texts) accepted.push((await submit(text)).body.task_id as string);
  await Promise.all(holds.map((h) => h.reached));
  return { accepted, release: () => holds.forEach((h) => h.release()) };
}
