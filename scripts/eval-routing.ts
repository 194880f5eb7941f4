/**
 * Measures the Peer Agent's routing on a labelled set of tasks: `npm run eval:routing` runs the
 * real router (prompt, JSON mode, repair, confidence threshold) against whatever LLM the
 * environment (or .env) configures and prints accuracy, a confusion matrix and mean confidence.
 *
 *   --smoke            run against the scripted dev servers started in-process (harness check only)
 *   --dataset=<path>   another labelled set (default scripts/routing-eval-set.json)
 *   --concurrency=<n>  router calls in flight at once (default 4)
 *   --min-accuracy=<x> exit 1 when accuracy is below x (0..1), for CI against a real model
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { installDemoScript } from '../libs/testing/src/llm-server/demo-script';
import { OpenAiTestServer } from '../libs/testing/src/llm-server/openai-test-server';
import { TavilyTestServer } from '../libs/testing/src/search-server/tavily-test-server';
import { AgentRegistry } from '../src/agents/agent-registry';
import { AgentsModule } from '../src/agents/agents.module';
import { checkDecision } from '../src/agents/routing-decision';
import { TaskRouter } from '../src/agents/task-router';
import { AppConfigModule } from '../src/config/config.module';
import { loadDotEnvFile } from '../src/config/load-env';
import { llmConfig } from '../src/config/namespaces';
import { LlmClient } from '../src/llm/llm-client';

interface EvalItem {
  id: string;
  lang: string;
  kind: string;
  task: string;
  /** An agent name, or "reject" when the router should refuse the task. */
  expected: string;
  /** Other answers counted as correct for a genuinely ambiguous task. */
  acceptable?: string[];
}

interface EvalResult {
  item: EvalItem;
  predicted: string;
  confidence: number | null;
  correct: boolean;
  tokens: number;
  cost: number | null;
  error?: string;
}

const REJECT = 'reject';
const ERROR = 'error';

@Module({ imports: [AppConfigModule, AgentsModule] })
class RoutingEvalModule {}

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<number> {
  const smoke = process.argv.includes('--smoke');
  const datasetPath = resolve(flag('dataset') ?? 'scripts/routing-eval-set.json');
  const concurrency = Math.max(1, Number(flag('concurrency') ?? 4));
  const minAccuracy = flag('min-accuracy') === undefined ? undefined : Number(flag('min-accuracy'));
  const items = (JSON.parse(readFileSync(datasetPath, 'utf8')) as { items: EvalItem[] }).items;

  loadDotEnvFile();
  const servers: { close(): Promise<void> }[] = [];
  if (smoke) {
    const llm = await OpenAiTestServer.start();
    const search = await TavilyTestServer.start();
    installDemoScript(llm, search);
    servers.push(llm, search);
    process.env.OPENAI_BASE_URL = llm.url;
    process.env.OPENAI_API_KEY = 'dev-llm';
  }

  const app = await NestFactory.createApplicationContext(RoutingEvalModule, {
    logger: ['error', 'warn'],
  });
  try {
    const cfg = app.get<ConfigType<typeof llmConfig>>(llmConfig.KEY);
    const llm = app.get(LlmClient);
    const registry = app.get(AgentRegistry);
    const router = app.get(TaskRouter);
    if (!llm.isConfigured()) {
      console.error(
        'No LLM is configured: set OPENAI_API_KEY (or OPENAI_BASE_URL), or run with --smoke.',
      );
      return 2;
    }
    const scripted = smoke || cfg.apiKey === 'dev-llm';
    const where = cfg.baseUrl ? new URL(cfg.baseUrl).origin : 'https://api.openai.com';
    console.log(
      `Routing evaluation: ${items.length} tasks from ${datasetPath}\n` +
        `Router model ${cfg.models.peer} at ${where}; ROUTER_MIN_CONFIDENCE ${cfg.routerMinConfidence}; ` +
        `agents ${registry
          .list()
          .map((a) => a.name)
          .join(', ')}`,
    );
    if (scripted) {
      console.log(
        '\n*** SMOKE RUN against the scripted dev server (keyword heuristics, English only). ***\n' +
          '*** It checks that the harness works end to end; the numbers say NOTHING about routing quality. ***',
      );
    }
    console.log('');

    const evaluate = async (item: EvalItem): Promise<EvalResult> => {
      const outcome = await router.classify(
        {
          taskId: `eval-${item.id}`,
          sessionId: null,
          task: item.task,
          history: [],
          signal: new AbortController().signal,
        },
        registry.list(),
      );
      const spent = { tokens: outcome.run.token_usage.total, cost: outcome.run.cost_usd };
      if ('error' in outcome) {
        return {
          item,
          predicted: ERROR,
          confidence: null,
          correct: false,
          ...spent,
          error: `${outcome.error.code}: ${outcome.error.message}`,
        };
      }
      const checked = checkDecision(
        { ...outcome.reply, hinted: false },
        registry,
        cfg.routerMinConfidence,
      );
      const predicted = checked.ok ? checked.routing.agent_name : REJECT;
      const correct = [item.expected, ...(item.acceptable ?? [])].includes(predicted);
      return { item, predicted, confidence: outcome.reply.confidence, correct, ...spent };
    };

    const results = await mapLimited(items, concurrency, async (item) => {
      const result = await evaluate(item);
      printLine(result);
      return result;
    });
    const accuracy = report(
      results,
      registry.list().map((a) => a.name),
    );
    if (scripted) console.log('\n(Smoke run: not a quality claim.)');
    // A smoke run checks the harness, so an accuracy gate would judge the script, not the router.
    return !scripted && minAccuracy !== undefined && accuracy < minAccuracy ? 1 : 0;
  } finally {
    await app.close();
    await Promise.all(servers.map((s) => s.close()));
  }
}

function printLine(r: EvalResult): void {
  const mark = r.correct ? 'ok  ' : 'MISS';
  const confidence = r.confidence === null ? '  -  ' : r.confidence.toFixed(2);
  const got = r.correct ? r.predicted : `${r.predicted} (expected ${r.item.expected})`;
  const task = r.item.task.length > 60 ? `${r.item.task.slice(0, 57)}...` : r.item.task;
  console.log(`${mark} ${r.item.id.padEnd(16)} ${confidence}  ${got.padEnd(36)} ${task}`);
  if (r.error) console.log(`     ${r.error}`);
}

function report(results: EvalResult[], agents: string[]): number {
  const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
  const correct = results.filter((r) => r.correct).length;
  console.log(`\nAccuracy: ${correct}/${results.length} = ${pct(correct, results.length)}`);
  for (const key of ['lang', 'kind'] as const) {
    const groups = [...new Set(results.map((r) => r.item[key]))];
    const parts = groups.map((g) => {
      const group = results.filter((r) => r.item[key] === g);
      return `${g} ${pct(group.filter((r) => r.correct).length, group.length)} (${group.length})`;
    });
    console.log(`  by ${key}: ${parts.join(', ')}`);
  }

  const mean = (rs: EvalResult[]): string => {
    const values = rs.map((r) => r.confidence).filter((c): c is number => c !== null);
    return values.length === 0
      ? '-'
      : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(3);
  };
  console.log(
    `Mean confidence: ${mean(results)} (correct ${mean(results.filter((r) => r.correct))}, ` +
      `wrong ${mean(results.filter((r) => !r.correct))})`,
  );

  const labels = [...agents, REJECT];
  const columns = results.some((r) => r.predicted === ERROR) ? [...labels, ERROR] : labels;
  const extra = [...new Set(results.map((r) => r.predicted))].filter((p) => !columns.includes(p));
  const allColumns = [...columns, ...extra];
  const width = Math.max(14, ...allColumns.map((c) => c.length + 2));
  console.log('\nConfusion matrix (rows: expected, columns: predicted)');
  console.log(''.padEnd(width) + allColumns.map((c) => c.padStart(width)).join(''));
  for (const expected of labels) {
    const row = results.filter((r) => r.item.expected === expected);
    if (row.length === 0) continue;
    const cells = allColumns.map((c) =>
      String(row.filter((r) => r.predicted === c).length).padStart(width),
    );
    console.log(expected.padEnd(width) + cells.join(''));
  }

  const tokens = results.reduce((a, r) => a + r.tokens, 0);
  const costs = results.map((r) => r.cost);
  const cost = costs.includes(null)
    ? 'unknown (no price for the model)'
    : `$${costs.reduce<number>((a, c) => a + (c ?? 0), 0).toFixed(4)}`;
  console.log(`\nRouter tokens: ${tokens}; estimated cost: ${cost}`);
  return results.length === 0 ? 0 : correct / results.length;
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
