import autocannon from 'autocannon';
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { freePort } from '../../src/backing-services/free-port';
import { type BenchContext, type BenchOutcome, cpuRoots } from './lib/context';
import { CpuMeter, formatCores } from './lib/cpu';
import { formatOps, type OpCounts, opsPer, snapshotOps, totalOps } from './lib/op-counters';
import { printTable, type TableRow, verdict } from './lib/report';
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

/** The bare floor (floor/accept-floor.ts) in its own process. */
async function startFloor(
  ctx: BenchContext,
  mode: 'minimal' | 'full',
  dbName: string,
  keyPrefix: string,
): Promise<Target> {
  const port = await freePort();
  const child: ChildProcess = fork(join(__dirname, 'floor', 'accept-floor.js'), [], {
    env: {
      PATH: process.env.PATH,
      FLOOR_MODE: mode,
      MONGO_URI: ctx.backends.mongoUri,
      MONGO_DB_NAME: dbName,
      REDIS_URL: ctx.backends.redisUrl,
      REDIS_GLOBAL_KEYPREFIX: keyPrefix,
      API_KEYS: BENCH_API_KEY,
      PORT: String(port),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`floor exited during start-up (${code})`)));
    child.once('message', () => resolve());
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name: `floor-${mode}`,
    url: `http://127.0.0.1:${port}/v1/agent/execute`,
    pid: child.pid!,
    stop: async () => {
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
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
  target: Target,
  dbName: string,
  warmS: number,
  durationS: number,
): Promise<Measured> {
  if (warmS > 0) await load(target.url, 10, warmS); // JIT, connection pools, collections, indexes
  const mongo = await mongoose.mongo.MongoClient.connect(ctx.backends.mongoUri);
  const before = await mongo.db(dbName).collection('tasks').countDocuments();
  const probe = new Redis(ctx.backends.redisUrl, { connectionName: 'bench:probe' });
  const opsBefore = await snapshotOps(ctx.backends.dbMetricsUrl, probe);
  const meter = new CpuMeter(cpuRoots(ctx, { target: target.pid }));
  meter.begin();
  const r = await load(target.url, CONNECTIONS, durationS);
  const cores = meter.end();
  const opsAfter = await snapshotOps(ctx.backends.dbMetricsUrl, probe);
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
    `accept ${target.name}: ${m.requests_per_s} req/s, p50 ${m.latency_ms.p50} ms, p99 ${m.latency_ms.p99} ms, ` +
      `${ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors; cores: ${formatCores(cores)}`,
  );
  ctx.log(
    `accept ${target.name}: per request, database ${formatOps(m.ops_per_request.mongo)}; Redis ${formatOps(m.ops_per_request.redis)}`,
  );
  return m;
}

/**
 * POST /v1/agent/execute under autocannon (50 connections), api mode only (no worker, so the
 * queue just fills), against the bare floors doing the same writes with the same clients.
 */
export async function runAcceptBench(ctx: BenchContext): Promise<BenchOutcome> {
  const durationS = ctx.quick ? 3 : 10;
  const warmS = ctx.quick ? 1 : 2;
  // Rounds alternate the targets, so a burst of load from elsewhere hits all of them alike.
  const rounds = ctx.quick ? 1 : 2;
  const plan: { name: string; start: (db: string, prefix: string) => Promise<Target> }[] = [
    {
      name: 'service',
      start: async (db, prefix) => {
        const api = await startService('api', {
          backends: ctx.backends,
          dbName: db,
          keyPrefix: prefix,
        });
        return {
          name: 'service',
          url: `${api.origin}/v1/agent/execute`,
          pid: api.pid,
          stop: api.stop,
        };
      },
    },
    { name: 'floor-minimal', start: (db, prefix) => startFloor(ctx, 'minimal', db, prefix) },
    { name: 'floor-full', start: (db, prefix) => startFloor(ctx, 'full', db, prefix) },
  ];
  const targets: { target: Target; db: string; rounds: Measured[] }[] = [];
  try {
    for (const step of plan) {
      // A fresh database per target: with FerretDB, the cost of a write grows with the collection.
      const db = `bench_${ctx.runId}_accept_${step.name.replace('-', '_')}`;
      const target = await step.start(db, `bench_${ctx.runId}_${step.name}:`);
      targets.push({ target, db, rounds: [] });
      ctx.backends.indexDatabase(db);
    }
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        t.rounds.push(await measure(ctx, t.target, t.db, round === 0 ? warmS : 0, durationS));
      }
    }
  } finally {
    for (const t of targets) await t.target.stop();
  }
  const results = targets.map((t) => combine(t.rounds));
  const [service, floor, full] = results;
  const rpsRatio = service.requests_per_s / floor.requests_per_s;
  const p99Ratio = service.latency_ms.p99 / floor.latency_ms.p99;
  const rows: TableRow[] = [
    {
      metric: 'requests/s',
      service: service.requests_per_s,
      reference: floor.requests_per_s,
      ratio: rpsRatio,
      goal: '≥ 0.70',
      verdict: verdict(rpsRatio >= 0.7),
    },
    {
      metric: 'latency p50 (ms)',
      service: service.latency_ms.p50,
      reference: floor.latency_ms.p50,
      ratio: service.latency_ms.p50 / floor.latency_ms.p50,
    },
    {
      metric: 'latency p99 (ms)',
      service: service.latency_ms.p99,
      reference: floor.latency_ms.p99,
      ratio: p99Ratio,
      goal: '≤ 1.5',
      verdict: verdict(p99Ratio <= 1.5),
    },
    {
      metric: 'errors + non-2xx',
      service: service.errors + service.non_2xx,
      reference: floor.errors + floor.non_2xx,
    },
    { metric: 'service CPU (cores)', service: service.cores.target, reference: floor.cores.target },
    {
      metric: 'database CPU (cores)',
      service: service.cores.db ?? 0,
      reference: floor.cores.db ?? 0,
    },
    {
      metric: 'database commands per request',
      service: totalOps(service.ops_per_request.mongo),
      reference: totalOps(floor.ops_per_request.mongo),
    },
    {
      metric: 'Redis commands per request',
      service: totalOps(service.ops_per_request.redis),
      reference: totalOps(floor.ops_per_request.redis),
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
    `Accept path: POST /v1/agent/execute, ${CONNECTIONS} connections, ${rounds} × ${durationS} s per target (floor = one insert + one BullMQ add)`,
    'floor',
    rows,
  );
  return {
    name: 'accept',
    goals: [
      { goal: 'accept req/s ≥ 70% of floor', value: round(rpsRatio, 2), pass: rpsRatio >= 0.7 },
      { goal: 'accept p99 ≤ 1.5× floor', value: round(p99Ratio, 2), pass: p99Ratio <= 1.5 },
    ],
    data: { connections: CONNECTIONS, duration_s: durationS, rounds, warmup_s: warmS, results },
  };
}
