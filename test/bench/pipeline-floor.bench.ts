import { Redis } from 'ioredis';
import type { BenchBackends } from './lib/backends';
import { type BenchContext, type BenchOutcome, comparedDatabases, cpuRoots } from './lib/context';
import { CpuMeter, formatCores } from './lib/cpu';
import { startFloor } from './lib/floor-process';
import { formatOps, type OpCounts, opsPer, snapshotOps, totalOps } from './lib/op-counters';
import { QueueProbe } from './lib/queue-probe';
import { type GoalCheck, printTable, type TableRow, verdict } from './lib/report';
import { startService } from './lib/service';
import { round } from './lib/stats';
import { CODE_TASKS, TaskStore, TaskSubmitter } from './lib/task-driver';

const CONCURRENCY = 50;
const LATENCY_MS = 200;
const GOALS = { rate: 0.85, workerCpu: 1.5, dbCpu: 1.25 };

type Side = 'service' | 'floor';

interface SideRound {
  side: Side;
  round: number;
  tasks: number;
  failed: number;
  /** N / (last completed_at − first started_at), from the task documents. */
  drain_tasks_per_s: number;
  /** N / (queue resumed → every job finished), as the benchmark saw it. */
  window_tasks_per_s: number;
  /** CPU ms per task of each process over the drain (worker, db, redis; llm and other for context). */
  cpu_ms_per_task: Record<string, number>;
  cores: Record<string, number>;
  /** Commands per task the worker sent, as the database and Redis counted them. */
  ops_per_task: { mongo: OpCounts; redis: OpCounts };
}

/**
 * One side's drain: tasks accepted by its own producer (the service's API, or the raw-driver
 * accept floor), the producer stopped, the queue paused while the worker boots, then resumed
 * with the meter running until every job has finished.
 */
async function drain(
  ctx: BenchContext,
  backends: BenchBackends,
  side: Side,
  roundNo: number,
  tasks: number,
): Promise<SideRound> {
  const tag = `${ctx.runId}_floorcmp_${backends.mongoKind.replace(/-/g, '_')}_${side}_${roundNo}`;
  const place = { backends, dbName: `bench_${tag}`, keyPrefix: `bench_${tag}:` };
  const producer =
    side === 'service'
      ? await startService('api', place)
      : await startFloor('accept-floor', { ...place, env: { FLOOR_MODE: 'minimal' } });
  backends.indexDatabase(place.dbName);
  const submitter = new TaskSubmitter(producer.origin);
  let ids: string[];
  try {
    ids = await submitter.submitMany(tasks, CODE_TASKS);
  } finally {
    submitter.close();
    await producer.stop();
  }
  const queue = new QueueProbe(backends.redisUrl, place.keyPrefix);
  const redis = new Redis(backends.redisUrl, { connectionName: 'bench:probe' });
  const store = await TaskStore.open(backends.mongoUri, place.dbName);
  await queue.pause();
  const env = { WORKER_CONCURRENCY: String(CONCURRENCY) };
  const worker =
    side === 'service'
      ? await startService('worker', { ...place, llmUrl: ctx.llm.url, env })
      : await startFloor('pipeline-floor', { ...place, env: { ...env, LLM_URL: ctx.llm.url } });
  try {
    const opsBefore = await snapshotOps(backends.dbMetricsUrl, redis);
    const meter = new CpuMeter(cpuRoots(ctx, { worker: worker.pid }, backends));
    meter.begin();
    const t0 = Date.now();
    await queue.resume();
    await queue.waitForFinished(tasks, 600_000);
    const wallMs = Date.now() - t0;
    const cpu = meter.endWithMs();
    const opsAfter = await snapshotOps(backends.dbMetricsUrl, redis);
    const timings = await store.timings(ids);
    const firstStart = Math.min(...timings.map((t) => t.started_at));
    const lastDone = Math.max(...timings.map((t) => t.completed_at));
    const result: SideRound = {
      side,
      round: roundNo,
      tasks,
      failed: timings.filter((t) => t.status !== 'completed').length,
      drain_tasks_per_s: round(tasks / ((lastDone - firstStart) / 1000), 2),
      window_tasks_per_s: round(tasks / (wallMs / 1000), 2),
      cpu_ms_per_task: Object.fromEntries(
        Object.entries(cpu.ms).map(([name, ms]) => [name, round(ms / tasks, 2)]),
      ),
      cores: cpu.cores,
      ops_per_task: {
        mongo: opsPer(opsBefore.mongo, opsAfter.mongo, tasks),
        redis: opsPer(opsBefore.redis, opsAfter.redis, tasks, queue.sent),
      },
    };
    ctx.log(
      `pipeline-floor ${backends.mongoKind} ${side} #${roundNo}: ${result.drain_tasks_per_s} tasks/s, ` +
        `CPU ms/task worker ${result.cpu_ms_per_task.worker}, db ${result.cpu_ms_per_task.db}, redis ${result.cpu_ms_per_task.redis}; cores: ${formatCores(cpu.cores)}`,
    );
    ctx.log(
      `pipeline-floor ${backends.mongoKind} ${side} #${roundNo}: per task, database ${formatOps(result.ops_per_task.mongo)}; Redis ${formatOps(result.ops_per_task.redis)}`,
    );
    return result;
  } finally {
    await worker.stop();
    await queue.close();
    await store.close();
    redis.disconnect();
  }
}

interface SideSummary {
  drain_tasks_per_s: number;
  window_tasks_per_s: number;
  failed: number;
  cpu_ms_per_task: Record<string, number>;
  db_ops_per_task: number;
  redis_ops_per_task: number;
  ops_per_task: { mongo: OpCounts; redis: OpCounts };
}

const mean = (values: number[]): number =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;

function summarizeSide(rounds: SideRound[]): SideSummary {
  const keys = [...new Set(rounds.flatMap((r) => Object.keys(r.cpu_ms_per_task)))];
  const meanOps = (pick: (r: SideRound) => OpCounts): OpCounts => {
    const names = [...new Set(rounds.flatMap((r) => Object.keys(pick(r))))];
    return Object.fromEntries(
      names.map((n) => [n, round(mean(rounds.map((r) => pick(r)[n] ?? 0)), 2)]),
    );
  };
  const mongo = meanOps((r) => r.ops_per_task.mongo);
  const redis = meanOps((r) => r.ops_per_task.redis);
  return {
    drain_tasks_per_s: round(mean(rounds.map((r) => r.drain_tasks_per_s)), 2),
    window_tasks_per_s: round(mean(rounds.map((r) => r.window_tasks_per_s)), 2),
    failed: rounds.reduce((a, r) => a + r.failed, 0),
    cpu_ms_per_task: Object.fromEntries(
      keys.map((k) => [k, round(mean(rounds.map((r) => r.cpu_ms_per_task[k] ?? 0)), 2)]),
    ),
    db_ops_per_task: totalOps(mongo),
    redis_ops_per_task: totalOps(redis),
    ops_per_task: { mongo, redis },
  };
}

async function runOn(ctx: BenchContext, backends: BenchBackends, tasks: number, rounds: number) {
  const all: SideRound[] = [];
  // Alternating sides, so a burst of load from elsewhere hits both alike.
  for (let r = 1; r <= rounds; r++) {
    for (const side of ['service', 'floor'] as const) {
      all.push(await drain(ctx, backends, side, r, tasks));
    }
  }
  const service = summarizeSide(all.filter((r) => r.side === 'service'));
  const floor = summarizeSide(all.filter((r) => r.side === 'floor'));
  const ratio = (a: number, b: number): number => round(a / b, 2);
  const ratios = {
    tasks_per_s: ratio(service.drain_tasks_per_s, floor.drain_tasks_per_s),
    worker_cpu: ratio(service.cpu_ms_per_task.worker, floor.cpu_ms_per_task.worker),
    db_cpu: ratio(service.cpu_ms_per_task.db, floor.cpu_ms_per_task.db),
    redis_cpu: ratio(service.cpu_ms_per_task.redis, floor.cpu_ms_per_task.redis),
    db_ops: ratio(service.db_ops_per_task, floor.db_ops_per_task),
    redis_ops: ratio(service.redis_ops_per_task, floor.redis_ops_per_task),
  };
  const rows: TableRow[] = [
    {
      metric: 'drained tasks/s',
      service: service.drain_tasks_per_s,
      reference: floor.drain_tasks_per_s,
      ratio: ratios.tasks_per_s,
      goal: `≥ ${GOALS.rate}`,
      verdict: verdict(ratios.tasks_per_s >= GOALS.rate),
    },
    {
      metric: 'worker CPU ms per task',
      service: service.cpu_ms_per_task.worker,
      reference: floor.cpu_ms_per_task.worker,
      ratio: ratios.worker_cpu,
      goal: `≤ ${GOALS.workerCpu}`,
      verdict: verdict(ratios.worker_cpu <= GOALS.workerCpu),
    },
    {
      metric: 'database CPU ms per task',
      service: service.cpu_ms_per_task.db,
      reference: floor.cpu_ms_per_task.db,
      ratio: ratios.db_cpu,
      goal: `≤ ${GOALS.dbCpu}`,
      verdict: verdict(ratios.db_cpu <= GOALS.dbCpu),
    },
    {
      metric: 'Redis CPU ms per task',
      service: service.cpu_ms_per_task.redis,
      reference: floor.cpu_ms_per_task.redis,
      ratio: ratios.redis_cpu,
    },
    {
      metric: 'database commands per task',
      service: service.db_ops_per_task,
      reference: floor.db_ops_per_task,
      ratio: ratios.db_ops,
    },
    {
      metric: 'Redis commands per task',
      service: service.redis_ops_per_task,
      reference: floor.redis_ops_per_task,
      ratio: ratios.redis_ops,
    },
    {
      metric: 'tasks/s, resume → last job (bench clock)',
      service: service.window_tasks_per_s,
      reference: floor.window_tasks_per_s,
    },
    { metric: 'failed tasks', service: service.failed, reference: floor.failed },
  ];
  printTable(
    `Pipeline vs minimal worker on ${backends.mongoKind}: ${tasks} CodeAgent tasks, concurrency ${CONCURRENCY}, LLM ${LATENCY_MS} ms per call, ${rounds} round(s) per side`,
    'floor',
    rows,
  );
  ctx.log(
    `pipeline-floor ${backends.mongoKind}: service database ${formatOps(service.ops_per_task.mongo)}; Redis ${formatOps(service.ops_per_task.redis)}`,
  );
  ctx.log(
    `pipeline-floor ${backends.mongoKind}: floor database ${formatOps(floor.ops_per_task.mongo)}; Redis ${formatOps(floor.ops_per_task.redis)}`,
  );
  const on = `(${backends.mongoKind})`;
  const goals: GoalCheck[] = [
    {
      goal: `pipeline tasks/s ≥ ${GOALS.rate} × minimal worker ${on}`,
      value: ratios.tasks_per_s,
      pass: ratios.tasks_per_s >= GOALS.rate,
    },
    {
      goal: `worker CPU per task ≤ ${GOALS.workerCpu} × minimal worker ${on}`,
      value: ratios.worker_cpu,
      pass: ratios.worker_cpu <= GOALS.workerCpu,
    },
    {
      goal: `database CPU per task ≤ ${GOALS.dbCpu} × minimal worker ${on}`,
      value: ratios.db_cpu,
      pass: ratios.db_cpu <= GOALS.dbCpu,
    },
  ];
  return {
    database: backends.mongoKind,
    database_version: backends.mongoVersion,
    service,
    floor,
    ratios,
    rounds: all,
    goals,
  };
}

/**
 * Our worker against the minimal worker of floor/pipeline-floor.ts, in the same run, on the same
 * database server, Redis and LLM server: on FerretDB/SQLite (the database `npm start` and
 * `npm test` use), then on the run's main database when that is another one.
 */
export async function runPipelineFloorBench(ctx: BenchContext): Promise<BenchOutcome> {
  const tasks = ctx.quick ? 100 : 400;
  const rounds = ctx.quick ? 1 : 2;
  await ctx.llm.configure(LATENCY_MS);
  const databases = await comparedDatabases(ctx);
  const results = [];
  for (const backends of databases) results.push(await runOn(ctx, backends, tasks, rounds));
  return {
    name: 'pipeline-floor',
    goals: results.flatMap((r) => r.goals),
    data: {
      tasks,
      concurrency: CONCURRENCY,
      llm_latency_ms: LATENCY_MS,
      rounds,
      databases: results.map(({ goals: _goals, ...r }) => r),
    },
  };
}
