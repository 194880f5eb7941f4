import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { BenchBackends } from './lib/backends';
import { type BenchContext, type BenchOutcome, comparedDatabases, cpuRoots } from './lib/context';
import { startFloor } from './lib/floor-process';
import { CpuMeter, formatCores } from './lib/cpu';
import { formatOps, type OpCounts, opsPer, snapshotOps, totalOps } from './lib/op-counters';
import { type GoalCheck, printTable, type TableRow, verdict } from './lib/report';
import { BENCH_API_KEY, startService } from './lib/service';
import { round } from './lib/stats';

const CONNECTIONS = 50;
const BODY = JSON.stringify({ task: 'Write a Python function that reverses a string' });

interface Target {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Measured {
  target: string;
  requests_per_s: number;
  ok: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  latency_ms: { mean: number; p50: number; p90: number; p99: number; p99_9: number; max: number };
  tasks_stored: number;
  cores: Record<string, number>;
  /** Commands per accepted request, as the database and Redis counted them. */
  ops_per_request: { mongo: OpCounts; redis: OpCounts };
}

const mean = (values: number[]): number =>
  round(values.reduce((a, b) => a + b, 0) / values.length, 2);

/** Rounds of one target: rates and latencies averaged, counts added up. */
function combine(rounds: Measured[]): Measured & { rounds: Measured[] } {
  const first = rounds[0];
  const latency = (key: keyof Measured['latency_ms']) => mean(rounds.map((r) => r.latency_ms[key]));
  return {
    ...first,
    requests_per_s: mean(rounds.map((r) => r.requests_per_s)),
    ok: rounds.reduce((a, r) => a + r.ok, 0),
    non_2xx: rounds.reduce((a, r) => a + r.non_2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    timeouts: rounds.reduce((a, r) => a + r.timeouts, 0),
    latency_ms: {
      mean: latency('mean'),
      p50: latency('p50'),
      p90: latency('p90'),
      p99: latency('p99'),
      p99_9: latency('p99_9'),
      max: Math.max(...rounds.map((r) => r.latency_ms.max)),
    },
    tasks_stored: rounds.reduce((a, r) => a + r.tasks_stored, 0),
    cores: Object.fromEntries(
      Object.keys(first.cores).map((k) => [k, mean(rounds.map((r) => r.cores[k] ?? 0))]),
    ),
    rounds,
  };
}

function load(url: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': BENCH_API_KEY },
    body: BODY,
    connections,
    duration,
    timeout: 30,
  });
}

async function measure(
  ctx: BenchContext,
  backends: BenchBackends,
  target: Target,
  dbName: string,
  warmS: number,
  durationS: number,
): Promise<Measured> {
  if (warmS > 0) await load(target.url, 10, warmS); // JIT, connection pools, collections, indexes
  const mongo = await mongoose.mongo.MongoClient.connect(backends.mongoUri);
  const before = await mongo.db(dbName).collection('tasks').countDocuments();
  const probe = new Redis(backends.redisUrl, { connectionName: 'bench:probe' });
  const opsBefore = await snapshotOps(backends.dbMetricsUrl, probe);
  const meter = new CpuMeter(cpuRoots(ctx, { target: target.pid }, backends));
  meter.begin();
  const r = await load(target.url, CONNECTIONS, durationS);
  const cores = meter.end();
  const opsAfter = await snapshotOps(backends.dbMetricsUrl, probe);
  probe.disconnect();
  const stored = (await mongo.db(dbName).collection('tasks').countDocuments()) - before;
  await mongo.close();
  const ok = r['2xx'];
  const m: Measured = {
    target: target.name,
    requests_per_s: round(ok / r.duration, 1),
    ok,
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latency_ms: {
      mean: round(r.latency.mean, 1),
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      p99_9: r.latency.p99_9,
      max: r.latency.max,
    },
    tasks_stored: stored,
    cores,
    ops_per_request: {
      mongo: opsPer(opsBefore.mongo, opsAfter.mongo, Math.max(1, ok)),
      redis: opsPer(opsBefore.redis, opsAfter.redis, Math.max(1, ok)),
    },
  };
  ctx.log(
    `accept ${backends.mongoKind} ${target.name}: ${m.requests_per_s} req/s, p50 ${m.latency_ms.p50} ms, p99 ${m.latency_ms.p99} ms, ` +
      `${ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors; cores: ${formatCores(cores)}`,
  );
  ctx.log(
    `accept ${backends.mongoKind} ${target.name}: per request, database ${formatOps(m.ops_per_request.mongo)}; Redis ${formatOps(m.ops_per_request.redis)}`,
  );
  return m;
}

const RPS_GOAL = 0.8;
const P99_GOAL = 1.2;

/** One database's accept figures: the service and the two floors, their table and goals. */
async function runOn(
  ctx: BenchContext,
  backends: BenchBackends,
): Promise<{
  database: string;
  database_version: string;
  results: ReturnType<typeof combine>[];
  goals: GoalCheck[];
}> {
  const durationS = ctx.quick ? 3 : 10;
  const warmS = ctx.quick ? 1 : 2;
  // Rounds alternate the targets, so a burst of load from elsewhere hits all of them alike.
  const rounds = ctx.quick ? 1 : 2;
  const floor = async (mode: 'minimal' | 'full', db: string, prefix: string): Promise<Target> => {
    const started = await startFloor('accept-floor', {
      backends,
      dbName: db,
      keyPrefix: prefix,
      env: { FLOOR_MODE: mode },
    });
    return {
      name: `floor-${mode}`,
      url: `${started.origin}/v1/agent/execute`,
      pid: started.pid,
      stop: started.stop,
    };
  };
  const plan: { name: string; start: (db: string, prefix: string) => Promise<Target> }[] = [
    {
      name: 'service',
      start: async (db, prefix) => {
        const api = await startService('api', { backends, dbName: db, keyPrefix: prefix });
        return {
          name: 'service',
          url: `${api.origin}/v1/agent/execute`,
          pid: api.pid,
          stop: api.stop,
        };
      },
    },
    { name: 'floor-minimal', start: (db, prefix) => floor('minimal', db, prefix) },
    { name: 'floor-full', start: (db, prefix) => floor('full', db, prefix) },
  ];
  const kind = backends.mongoKind.replace(/-/g, '_');
  const targets: { target: Target; db: string; rounds: Measured[] }[] = [];
  try {
    for (const step of plan) {
      // A fresh database per target: with FerretDB, the cost of a write grows with the collection.
      const db = `bench_${ctx.runId}_accept_${kind}_${step.name.replace('-', '_')}`;
      const target = await step.start(db, `bench_${ctx.runId}_${kind}_${step.name}:`);
      targets.push({ target, db, rounds: [] });
      backends.indexDatabase(db);
    }
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        t.rounds.push(
          await measure(ctx, backends, t.target, t.db, round === 0 ? warmS : 0, durationS),
        );
      }
    }
  } finally {
    for (const t of targets) await t.target.stop();
  }
  const results = targets.map((t) => combine(t.rounds));
  const [service, floorMin, full] = results;
  const rpsRatio = service.requests_per_s / floorMin.requests_per_s;
  const p99Ratio = service.latency_ms.p99 / floorMin.latency_ms.p99;
  const rows: TableRow[] = [
    {
      metric: 'requests/s',
      service: service.requests_per_s,
      reference: floorMin.requests_per_s,
      ratio: rpsRatio,
      goal: `≥ ${RPS_GOAL.toFixed(2)}`,
      verdict: verdict(rpsRatio >= RPS_GOAL),
    },
    {
      metric: 'latency p50 (ms)',
      service: service.latency_ms.p50,
      reference: floorMin.latency_ms.p50,
      ratio: service.latency_ms.p50 / floorMin.latency_ms.p50,
    },
    {
      metric: 'latency p99 (ms)',
      service: service.latency_ms.p99,
      reference: floorMin.latency_ms.p99,
      ratio: p99Ratio,
      goal: `≤ ${P99_GOAL}`,
      verdict: verdict(p99Ratio <= P99_GOAL),
    },
    {
      metric: 'errors + non-2xx',
      service: service.errors + service.non_2xx,
      reference: floorMin.errors + floorMin.non_2xx,
    },
    {
      metric: 'service CPU (cores)',
      service: service.cores.target,
      reference: floorMin.cores.target,
      ratio: service.cores.target / floorMin.cores.target,
    },
    {
      metric: 'database CPU (cores)',
      service: service.cores.db ?? 0,
      reference: floorMin.cores.db ?? 0,
    },
    {
      metric: 'database commands per request',
      service: totalOps(service.ops_per_request.mongo),
      reference: totalOps(floorMin.ops_per_request.mongo),
    },
    {
      metric: 'Redis commands per request',
      service: totalOps(service.ops_per_request.redis),
      reference: totalOps(floorMin.ops_per_request.redis),
    },
    {
      metric: '— vs floor-full: requests/s',
      service: service.requests_per_s,
      reference: full.requests_per_s,
      ratio: service.requests_per_s / full.requests_per_s,
    },
    {
      metric: '— vs floor-full: p99 (ms)',
      service: service.latency_ms.p99,
      reference: full.latency_ms.p99,
      ratio: service.latency_ms.p99 / full.latency_ms.p99,
    },
  ];
  printTable(
    `Accept path on ${backends.mongoKind}: POST /v1/agent/execute, ${CONNECTIONS} connections, ${rounds} × ${durationS} s per target (floor = raw-driver insert + BullMQ add)`,
    'floor',
    rows,
  );
  const on = `(${backends.mongoKind})`;
  return {
    database: backends.mongoKind,
    database_version: backends.mongoVersion,
    results,
    goals: [
      {
        goal: `accept req/s ≥ ${RPS_GOAL * 100}% of the raw-driver floor ${on}`,
        value: round(rpsRatio, 2),
        pass: rpsRatio >= RPS_GOAL,
      },
      {
        goal: `accept p99 ≤ ${P99_GOAL}× the raw-driver floor ${on}`,
        value: round(p99Ratio, 2),
        pass: p99Ratio <= P99_GOAL,
      },
    ],
  };
}

/**
 * POST /v1/agent/execute under autocannon (50 connections), api mode only (no worker, so the
 * queue just fills), against the bare floors doing the same writes with the raw driver: on
 * FerretDB/SQLite (the database `npm start` and `npm test` use), then on the run's main
 * database when that is another one.
 */
export async function runAcceptBench(ctx: BenchContext): Promise<BenchOutcome> {
  const databases = await comparedDatabases(ctx);
  const runs = [];
  for (const backends of databases) runs.push(await runOn(ctx, backends));
  return {
    name: 'accept',
    goals: runs.flatMap((r) => r.goals),
    data: {
      connections: CONNECTIONS,
      duration_s: ctx.quick ? 3 : 10,
      rounds: ctx.quick ? 1 : 2,
      warmup_s: ctx.quick ? 1 : 2,
      databases: runs.map(({ goals: _goals, ...run }) => run),
    },
  };
}
