import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchContext, type BenchOutcome, cpuRoots } from './lib/context';
import { CpuMeter, formatCores } from './lib/cpu';
import { rssMiB } from './lib/procfs';
import { printTable, type TableRow, verdict } from './lib/report';
import { type ServiceHandle, startService } from './lib/service';
import { linearFit, round } from './lib/stats';
import { CODE_TASKS, TaskStore, TaskSubmitter } from './lib/task-driver';

/** Growth above this, per 1,000 tasks over the second half of the run, counts as a trend. */
const TREND_MIB_PER_1000 = 2;

interface Sample {
  tasks_done: number;
  at_s: number;
  api_rss_mib: number;
  worker_rss_mib: number;
  api_heap_used_mib: number;
  worker_heap_used_mib: number;
  batch_tasks_per_s: number;
}

/** nodejs_heap_size_used_bytes from a process's /metrics (prom-client default metrics). */
async function heapUsedMiB(handle: ServiceHandle): Promise<number> {
  try {
    const text = await (await fetch(`${handle.origin}/metrics`)).text();
    const value = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text)?.[1];
    return value ? round(Number(value) / 2 ** 20, 1) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The process's live heap in MiB: it writes a heap snapshot on SIGUSR2 (started with
 * --heapsnapshot-signal), which first runs a full garbage collection, so the snapshot's total
 * size is what is still reachable. Unlike RSS or "heap used", it does not move with how lazily
 * V8 collects garbage or how much memory it keeps reserved; a leak shows here.
 */
async function liveHeapMiB(handle: ServiceHandle, dir: string): Promise<number> {
  const before = new Set(readdirSync(dir));
  process.kill(handle.pid, 'SIGUSR2');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const path = join(dir, file);
    const size = statSync(path).size;
    await new Promise((r) => setTimeout(r, 500));
    if (statSync(path).size !== size) continue; // still being written
    try {
      const snapshot = JSON.parse(readFileSync(path, 'utf8')) as {
        snapshot: { meta: { node_fields: string[] } };
        nodes: number[];
      };
      const fields = snapshot.snapshot.meta.node_fields;
      const selfSize = fields.indexOf('self_size');
      let total = 0;
      for (let i = selfSize; i < snapshot.nodes.length; i += fields.length)
        total += snapshot.nodes[i];
      rmSync(path);
      return round(total / 2 ** 20, 1);
    } catch {
      continue; // not complete yet
    }
  }
  return NaN;
}

function trend(samples: Sample[], key: keyof Sample) {
  const fit = linearFit(
    samples.map((s) => s.tasks_done / 1000),
    samples.map((s) => s[key]),
  );
  return { mib_per_1000_tasks: round(fit.slope, 2), r2: round(fit.r2, 2) };
}

/**
 * RSS of the API and of one worker at idle and after every batch of 1,000 tasks (LLM latency 0,
 * WORKER_CONCURRENCY=50) up to 10,000: a leak shows as a steady slope once the heap has warmed up.
 */
export async function runMemoryBench(ctx: BenchContext): Promise<BenchOutcome> {
  const batch = ctx.quick ? 200 : 1000;
  const batches = ctx.quick ? 4 : 10;
  // The run stops early (and says so) past this budget: with FerretDB every write gets slower
  // as the collections grow, and npm run bench should stay under 20 minutes.
  const budgetS = Number(process.env.BENCH_MEMORY_BUDGET_S ?? 540);
  const dbName = `bench_${ctx.runId}_memory`;
  const snapshots = mkdtempSync(join(tmpdir(), 'ao-bench-heap-'));
  const options = {
    backends: ctx.backends,
    dbName,
    keyPrefix: `bench_${ctx.runId}_memory:`,
    llmUrl: ctx.llm.url,
    env: {
      WORKER_CONCURRENCY: '50',
      NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}`,
    },
  };
  // Live heap (after a full GC) after the second batch and after the last one: few snapshots,
  // since writing one makes the process reserve memory (its RSS jumps once, by ~250 MiB here);
  // the second-half RSS samples all come after the first snapshot, so they stay comparable.
  const live: { tasks_done: number; api_mib: number; worker_mib: number }[] = [];
  const measureLive = async (done: number, a: ServiceHandle, w: ServiceHandle) => {
    const point = {
      tasks_done: done,
      api_mib: await liveHeapMiB(a, snapshots),
      worker_mib: await liveHeapMiB(w, snapshots),
    };
    live.push(point);
    ctx.log(
      `memory: live heap after ${done} tasks: api ${point.api_mib} MiB, worker ${point.worker_mib} MiB`,
    );
  };
  await ctx.llm.configure(0);
  const store = await TaskStore.open(ctx.backends.mongoUri, dbName);
  const api = await startService('api', options);
  let worker: ServiceHandle | undefined;
  const submitter = new TaskSubmitter(api.origin);
  try {
    worker = await startService('worker', options);
    ctx.backends.indexDatabase(dbName);
    const w = worker;
    await new Promise((r) => setTimeout(r, 5000));
    const started = Date.now();
    const sample = async (done: number, rate: number): Promise<Sample> => ({
      tasks_done: done,
      at_s: round((Date.now() - started) / 1000, 1),
      api_rss_mib: round(rssMiB(api.pid), 1),
      worker_rss_mib: round(rssMiB(w.pid), 1),
      api_heap_used_mib: await heapUsedMiB(api),
      worker_heap_used_mib: await heapUsedMiB(w),
      batch_tasks_per_s: round(rate, 1),
    });
    const idle = await sample(0, 0);
    ctx.log(`memory: idle api ${idle.api_rss_mib} MiB, worker ${idle.worker_rss_mib} MiB`);
    const samples: Sample[] = [];
    const meter = new CpuMeter(cpuRoots(ctx, { api: api.pid, worker: worker.pid }));
    meter.begin();
    let stoppedEarly = false;
    let stalled: string | undefined;
    for (let i = 1; i <= batches; i++) {
      const t0 = Date.now();
      try {
        await submitter.submitMany(batch, CODE_TASKS);
        await store.waitForFinished(i * batch, 900_000, 250, 60_000);
      } catch (err) {
        stalled = err instanceof Error ? err.message : String(err);
        ctx.log(`memory: batch ${i} stalled: ${stalled}`);
        ctx.log(`memory: worker output tail:\n${w.output().slice(-3000)}`);
        break;
      }
      const s = await sample(i * batch, batch / ((Date.now() - t0) / 1000));
      samples.push(s);
      ctx.log(
        `memory: ${s.tasks_done} tasks (${s.batch_tasks_per_s}/s): api ${s.api_rss_mib} MiB (heap ${s.api_heap_used_mib}), worker ${s.worker_rss_mib} MiB (heap ${s.worker_heap_used_mib})`,
      );
      if (i === 2) await measureLive(s.tasks_done, api, w);
      if (i < batches && (Date.now() - started) / 1000 > budgetS) {
        stoppedEarly = true;
        ctx.log(`memory: time budget of ${budgetS} s spent after ${i} batches; stopping early`);
        break;
      }
    }
    const cores = meter.end();
    ctx.log(`memory: cores: ${formatCores(cores)}`);
    if (samples.length === 0) throw new Error(`memory: no batch finished: ${stalled}`);
    const lastDone = samples[samples.length - 1].tasks_done;
    if (lastDone > 2 * batch) await measureLive(lastDone, api, w);
    const liveFrom = live.find((p) => p.tasks_done === 2 * batch);
    const liveTo = live[live.length - 1];
    const liveSlope = (key: 'api_mib' | 'worker_mib'): number =>
      liveFrom && liveTo.tasks_done > liveFrom.tasks_done
        ? round(
            (liveTo[key] - liveFrom[key]) / ((liveTo.tasks_done - liveFrom.tasks_done) / 1000),
            2,
          )
        : NaN;
    const liveTrend = { api: liveSlope('api_mib'), worker: liveSlope('worker_mib') };
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    const trends = {
      api_rss_all: trend(samples, 'api_rss_mib'),
      worker_rss_all: trend(samples, 'worker_rss_mib'),
      api_rss_second_half: trend(secondHalf, 'api_rss_mib'),
      worker_rss_second_half: trend(secondHalf, 'worker_rss_mib'),
      api_heap_second_half: trend(secondHalf, 'api_heap_used_mib'),
      worker_heap_second_half: trend(secondHalf, 'worker_heap_used_mib'),
    };
    const apiFlat = trends.api_rss_second_half.mib_per_1000_tasks <= TREND_MIB_PER_1000;
    const workerFlat = trends.worker_rss_second_half.mib_per_1000_tasks <= TREND_MIB_PER_1000;
    const last = samples[samples.length - 1];
    const rows: TableRow[] = [
      { metric: 'tasks processed', service: last.tasks_done, reference: batch * batches },
      { metric: 'api RSS MiB idle → last', service: `${idle.api_rss_mib} → ${last.api_rss_mib}` },
      {
        metric: 'worker RSS MiB idle → last',
        service: `${idle.worker_rss_mib} → ${last.worker_rss_mib}`,
      },
      {
        metric: 'api RSS slope, all (MiB/1k tasks)',
        service: trends.api_rss_all.mib_per_1000_tasks,
      },
      {
        metric: 'worker RSS slope, all (MiB/1k tasks)',
        service: trends.worker_rss_all.mib_per_1000_tasks,
      },
      {
        metric: 'api RSS slope, 2nd half (MiB/1k)',
        service: trends.api_rss_second_half.mib_per_1000_tasks,
        reference: TREND_MIB_PER_1000,
        goal: `≤ ${TREND_MIB_PER_1000}`,
        verdict: verdict(apiFlat),
      },
      {
        metric: 'worker RSS slope, 2nd half (MiB/1k)',
        service: trends.worker_rss_second_half.mib_per_1000_tasks,
        reference: TREND_MIB_PER_1000,
        goal: `≤ ${TREND_MIB_PER_1000}`,
        verdict: verdict(workerFlat),
      },
      {
        metric:
          'live heap MiB (after full GC) api: ' +
          live.map((p) => `${p.tasks_done}→${p.api_mib}`).join(', '),
        service: `${liveTrend.api} MiB/1k`,
      },
      {
        metric:
          'live heap MiB (after full GC) worker: ' +
          live.map((p) => `${p.tasks_done}→${p.worker_mib}`).join(', '),
        service: `${liveTrend.worker} MiB/1k`,
      },
      {
        metric: 'heap used slope 2nd half api / worker',
        service: `${trends.api_heap_second_half.mib_per_1000_tasks} / ${trends.worker_heap_second_half.mib_per_1000_tasks}`,
      },
      {
        metric: 'tasks/s first → last batch',
        service: `${samples[0].batch_tasks_per_s} → ${last.batch_tasks_per_s}`,
      },
    ];
    printTable(
      `Memory: RSS after each ${batch} tasks (LLM 0 ms)${stoppedEarly ? ' — stopped early on the time budget' : ''}`,
      'bound',
      rows,
    );
    console.log(
      '\n| tasks | api RSS MiB | worker RSS MiB | api heap MiB | worker heap MiB | tasks/s |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const s of [idle, ...samples]) {
      console.log(
        `| ${s.tasks_done} | ${s.api_rss_mib} | ${s.worker_rss_mib} | ${s.api_heap_used_mib} | ${s.worker_heap_used_mib} | ${s.batch_tasks_per_s || ''} |`,
      );
    }
    return {
      name: 'memory',
      goals: [
        {
          goal: `memory: api RSS slope ≤ ${TREND_MIB_PER_1000} MiB/1k tasks (2nd half)`,
          value: trends.api_rss_second_half.mib_per_1000_tasks,
          pass: apiFlat,
        },
        {
          goal: `memory: worker RSS slope ≤ ${TREND_MIB_PER_1000} MiB/1k tasks (2nd half)`,
          value: trends.worker_rss_second_half.mib_per_1000_tasks,
          pass: workerFlat,
        },
      ],
      data: {
        batch,
        batches_planned: batches,
        stopped_early: stoppedEarly,
        stalled,
        budget_s: budgetS,
        idle,
        samples,
        trends,
        live_heap: live,
        live_heap_mib_per_1000_tasks: liveTrend,
        cores,
      },
    };
  } finally {
    submitter.close();
    await worker?.stop();
    await api.stop();
    await store.close();
    rmSync(snapshots, { recursive: true, force: true });
  }
}
