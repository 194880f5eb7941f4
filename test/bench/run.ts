/**
 * npm run bench: runs the benchmarks of test/bench/README.md against the built service
 * (dist/main.js), each with its floor or ideal in the same run, prints a table per benchmark and
 * writes bench-results/<name>-<timestamp>.json. Goals are reported, not enforced: the exit code
 * is 0 whatever they say, and non-zero only when a benchmark could not run.
 *
 *   --only=accept,pipeline,pipeline-floor,growth,sse,memory   some of them (default: all, in order)
 *   BENCH_QUICK=1                       short runs to try the harness (figures not comparable)
 *   BENCH_MONGO=ferretdb-postgresql|ferretdb-sqlite|mongod   force a database (default: best found)
 *   TEST_MONGO_URI / TEST_REDIS_URL     use these services instead of starting them
 *   BENCH_LOAD_MAX=1.0                  wait (up to BENCH_LOAD_WAIT_S=60) for a quieter machine
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { runAcceptBench } from './accept.bench';
import { startBackends } from './lib/backends';
import type { BenchContext, BenchOutcome } from './lib/context';
import { startLlmProcess } from './lib/llm-process';
import { snapshotBuild } from './lib/service';
import { captureConditions, waitForQuietMachine, writeResult } from './lib/report';
import { round } from './lib/stats';
import { runGrowthBench } from './growth.bench';
import { runMemoryBench } from './memory.bench';
import { runPipelineFloorBench } from './pipeline-floor.bench';
import { runPipelineBench } from './pipeline.bench';
import { runSseBench } from './sse.bench';

const BENCHES: Record<string, (ctx: BenchContext) => Promise<BenchOutcome>> = {
  accept: runAcceptBench,
  pipeline: runPipelineBench,
  'pipeline-floor': runPipelineFloorBench,
  growth: runGrowthBench,
  sse: runSseBench,
  memory: runMemoryBench,
};

function log(line: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[bench ${t}] ${line}`);
}

function selected(): string[] {
  const arg = process.argv.find((a) => a.startsWith('--only='));
  const names = arg ? arg.slice('--only='.length).split(',').filter(Boolean) : Object.keys(BENCHES);
  for (const name of names) {
    if (!BENCHES[name])
      throw new Error(`Unknown benchmark "${name}": one of ${Object.keys(BENCHES).join(', ')}`);
  }
  return names;
}

async function main(): Promise<void> {
  const names = selected();
  const started = Date.now();
  log(`service: ${snapshotBuild()} (a copy of dist/ taken now)`);
  const backends = await startBackends(log);
  const llm = await startLlmProcess().catch(async (err: unknown) => {
    await backends.stop();
    throw err;
  });
  const runId = randomBytes(3).toString('hex');
  const ctx: BenchContext = { backends, llm, runId, log, quick: process.env.BENCH_QUICK === '1' };
  const summary: { bench: string; goal: string; value: number | string; pass: boolean }[] = [];
  let failures = 0;
  const stop = async (): Promise<void> => {
    await llm.stop();
    await backends.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the services`);
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    for (const name of names) {
      const loadMax = Number(process.env.BENCH_LOAD_MAX ?? 1.0);
      const waitS = Number(process.env.BENCH_LOAD_WAIT_S ?? 60);
      const quiet = await waitForQuietMachine(loadMax, waitS * 1000, log);
      const conditions = captureConditions(`${backends.mongoKind} (${backends.mongoVersion})`);
      log(`${name}: starting (load ${quiet.load1})`);
      const t0 = Date.now();
      try {
        const outcome = await BENCHES[name](ctx);
        const file = writeResult(outcome.name, {
          benchmark: outcome.name,
          conditions: {
            ...conditions,
            loadavg_1m_after: round(loadavg()[0], 2),
            waited_for_quiet_ms: quiet.waitedMs,
            quick: ctx.quick,
            runtime_s: round((Date.now() - t0) / 1000, 1),
          },
          goals: outcome.goals,
          ...outcome.data,
        });
        for (const g of outcome.goals) summary.push({ bench: name, ...g });
        log(`${name}: done in ${round((Date.now() - t0) / 1000, 1)} s, wrote ${file}`);
      } catch (err) {
        failures++;
        log(`${name}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    await stop();
  }
  console.log('\n## Goals (information, not a gate)');
  for (const s of summary) {
    console.log(`- [${s.pass ? 'pass' : 'FAIL'}] ${s.bench}: ${s.goal} (measured ${s.value})`);
  }
  log(`total ${round((Date.now() - started) / 1000, 1)} s`);
  if (failures > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
