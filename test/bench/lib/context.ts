import type { BenchBackends } from './backends';
import type { LlmProcess } from './llm-process';
import type { GoalCheck } from './report';

/** What every benchmark is given: the backing services, the LLM server and a logger. */
export interface BenchContext {
  backends: BenchBackends;
  llm: LlmProcess;
  /** Unique per run, for database names and Redis key prefixes. */
  runId: string;
  log(line: string): void;
  /** BENCH_QUICK=1: shorter runs, for trying the harness (figures are not comparable). */
  quick: boolean;
}

/** What a benchmark hands back: its figures (written as JSON) and its goals. */
export interface BenchOutcome {
  name: string;
  goals: GoalCheck[];
  data: Record<string, unknown>;
}

/** The roots of every process whose CPU time a benchmark reports. */
export function cpuRoots(
  ctx: BenchContext,
  extra: Record<string, number | undefined>,
  backends: BenchBackends = ctx.backends,
): Record<string, number | number[] | undefined> {
  return {
    ...extra,
    db: backends.dbPids.length ? backends.dbPids : undefined,
    redis: backends.redisCluster?.pids ?? backends.redisPid,
    llm: ctx.llm.pid,
    bench: process.pid,
  };
}

/**
 * The databases the floor comparisons run on: FerretDB/SQLite, then the run's main database when
 * that is another one. BENCH_DATABASES=sqlite or =main keeps one of them.
 */
export async function comparedDatabases(ctx: BenchContext): Promise<BenchBackends[]> {
  const only = process.env.BENCH_DATABASES ?? 'both';
  if (only === 'main') return [ctx.backends];
  const sqlite = await ctx.backends.sqlite();
  if (only === 'sqlite' || sqlite === ctx.backends) return [sqlite];
  return [sqlite, ctx.backends];
}
