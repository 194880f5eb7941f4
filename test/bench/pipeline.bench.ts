import { Cluster, type Redis } from 'ioredis';
import type { BenchBackends } from './lib/backends';
import { type BenchContext, type BenchOutcome, cpuRoots } from './lib/context';
import { CpuMeter, formatCores } from './lib/cpu';
import { formatOps, type OpCounts, opsPer, snapshotOps, totalOps } from './lib/op-counters';
import { redisProbe } from './lib/redis-probe';
import { measureRoundTrips } from './lib/round-trips';
import { type GoalCheck, printTable, type TableRow, verdict } from './lib/report';
import { type ServiceHandle, startService } from './lib/service';
import { round, summarize, type Summary } from './lib/stats';
import { CODE_TASKS, TaskStore, TaskSubmitter, type TaskTiming } from './lib/task-driver';
import { taskStreamKey } from '../../src/events/task-event-stream';

const CONCURRENCY = 50;
const LLM_CALLS_PER_TASK = 2;

interface PhaseResult {
  llm_latency_ms: number;
  tasks: number;
  failed: number;
  /** Accept rate while the queue was filled (api only, 50 connections). */
  prefill_tasks_per_s: number;
  /** N / (last completed_at - first started_at): how fast one worker drains a full queue. */
  drain_tasks_per_s: number;
  ideal_tasks_per_s: number | null;
  /** Drain phase, per task: (completed_at - started_at) - LLM time (agent_runs durations). */
  worker_overhead_ms: Summary;
  /** Drain phase, per task: sum of agent_runs durations. */
  llm_ms: Summary;
  cores_drain: Record<string, number>;
  /** Drain phase: commands per task the worker sent to the database and to Redis. */
  worker_ops_per_task: { mongo: OpCounts; redis: OpCounts };
  /** One round trip from the benchmark process on an idle connection, p50 (after the run). */
  round_trips: { db_insert_ms: number; db_find_by_id_ms: number; redis_ping_ms: number };
  paced: {
    tasks: number;
    rate_per_s: number;
    failed: number;
    /** completed_at - created_at. */
    end_to_end_ms: Summary;
    /** end-to-end - sum of agent_runs durations. */
    overhead_vs_agent_runs_ms: Summary;
    /** end-to-end - calls x configured LLM latency. */
    overhead_vs_nominal_llm_ms: Summary;
    /** created_at -> started_at: enqueue to pick-up. */
    pickup_ms: Summary;
    /**
     * created_at -> the final status event's stream entry (Redis's clock at XADD): what a client
     * watching the task waits, the completion's writes included (completed_at is stamped before
     * them).
     */
    to_final_event_ms: Summary;
    cores: Record<string, number>;
    /** Accept + processing: commands per task, API and worker together. */
    ops_per_task: { mongo: OpCounts; redis: OpCounts };
  };
}

function failedOf(timings: TaskTiming[]): number {
  return timings.filter((t) => t.status !== 'completed').length;
}

async function runPhase(
  ctx: BenchContext,
  latencyMs: number,
  tasks: number,
  paced: number,
  backends: BenchBackends = ctx.backends,
): Promise<PhaseResult> {
  const on = backends.redisCluster ? '_cluster' : '';
  const label = `pipeline ${latencyMs} ms${backends.redisCluster ? ' (cluster)' : ''}`;
  const dbName = `bench_${ctx.runId}_pipeline_${latencyMs}${on}`;
  const options = {
    backends,
    dbName,
    keyPrefix: `bench_${ctx.runId}_pipeline_${latencyMs}${on}:`,
    llmUrl: ctx.llm.url,
    env: { WORKER_CONCURRENCY: String(CONCURRENCY) },
  };
  await ctx.llm.configure(latencyMs);
  const store = await TaskStore.open(backends.mongoUri, dbName);
  const api = await startService('api', options);
  backends.indexDatabase(dbName);
  const submitter = new TaskSubmitter(api.origin);
  const probe = await redisProbe(backends);
  const ops = () => snapshotOps(backends.dbMetricsUrl, probe);
  let worker: ServiceHandle | undefined;
  try {
    // 1. Fill the queue with the API alone, then start one worker and let it drain the queue.
    const t0 = Date.now();
    const ids = await submitter.submitMany(tasks, CODE_TASKS);
    const prefillRate = tasks / ((Date.now() - t0) / 1000);
    ctx.log(
      `${label}: ${tasks} tasks queued at ${round(prefillRate)} tasks/s; starting the worker`,
    );
    const opsBefore = await ops();
    const sentBefore = { ...store.sent };
    worker = await startService('worker', options);
    const meter = new CpuMeter(cpuRoots(ctx, { api: api.pid, worker: worker.pid }, backends));
    meter.begin();
    await store.waitForFinished(tasks, 600_000);
    const coresDrain = meter.end();
    const opsAfter = await ops();
    const workerOps = perTask(opsBefore, opsAfter, tasks, sentBefore, store.sent);
    const drained = await store.timings(ids);
    const firstStart = Math.min(...drained.map((t) => t.started_at));
    const lastDone = Math.max(...drained.map((t) => t.completed_at));
    const drainRate = tasks / ((lastDone - firstStart) / 1000);
    ctx.log(`${label}: drained at ${round(drainRate)} tasks/s; cores: ${formatCores(coresDrain)}`);
    ctx.log(
      `${label}: per task, database ${totalOps(workerOps.mongo)} (${formatOps(workerOps.mongo)}); ` +
        `Redis ${totalOps(workerOps.redis)} (${formatOps(workerOps.redis)})`,
    );

    // 2. Paced arrivals below capacity, so no task waits in the queue: end-to-end latency.
    const ideal = latencyMs > 0 ? CONCURRENCY / ((LLM_CALLS_PER_TASK * latencyMs) / 1000) : null;
    const rate = Math.max(5, Math.min(0.5 * drainRate, ideal ? 0.7 * ideal : Infinity));
    const pacedMeter = new CpuMeter(cpuRoots(ctx, { api: api.pid, worker: worker.pid }, backends));
    pacedMeter.begin();
    const pacedOpsBefore = await ops();
    const pacedSentBefore = { ...store.sent };
    const pacedIds = await submitter.submitPaced(paced, CODE_TASKS, rate);
    await store.waitForFinished(tasks + paced, 600_000);
    const pacedCores = pacedMeter.end();
    const pacedOps = perTask(pacedOpsBefore, await ops(), paced, pacedSentBefore, store.sent);
    const pacedTimings = await store.timings(pacedIds);
    const finalEventAt = await finalEventTimes(
      probe,
      options.keyPrefix,
      pacedTimings.map((t) => t.task_id),
    );
    const roundTrips = await measureRoundTrips(backends.mongoUri, dbName, probe);
    const e2e = pacedTimings.map((t) => t.completed_at - t.created_at);
    const result: PhaseResult = {
      llm_latency_ms: latencyMs,
      tasks,
      failed: failedOf(drained),
      prefill_tasks_per_s: round(prefillRate, 1),
      drain_tasks_per_s: round(drainRate, 1),
      ideal_tasks_per_s: ideal,
      worker_overhead_ms: summarize(drained.map((t) => t.completed_at - t.started_at - t.llm_ms)),
      llm_ms: summarize(drained.map((t) => t.llm_ms)),
      cores_drain: coresDrain,
      worker_ops_per_task: workerOps,
      round_trips: roundTrips,
      paced: {
        tasks: paced,
        rate_per_s: round(rate, 1),
        failed: failedOf(pacedTimings),
        end_to_end_ms: summarize(e2e),
        overhead_vs_agent_runs_ms: summarize(pacedTimings.map((t, i) => e2e[i] - t.llm_ms)),
        overhead_vs_nominal_llm_ms: summarize(e2e.map((ms) => ms - LLM_CALLS_PER_TASK * latencyMs)),
        pickup_ms: summarize(pacedTimings.map((t) => t.started_at - t.created_at)),
        to_final_event_ms: summarize(
          pacedTimings.flatMap((t, i) => (finalEventAt[i] ? [finalEventAt[i] - t.created_at] : [])),
        ),
        cores: pacedCores,
        ops_per_task: pacedOps,
      },
    };
    ctx.log(
      `${label}: paced ${paced} at ${round(rate)}/s: e2e p50 ${result.paced.end_to_end_ms.p50} ms, ` +
        `overhead p50 ${result.paced.overhead_vs_agent_runs_ms.p50} / p99 ${result.paced.overhead_vs_agent_runs_ms.p99} ms`,
    );
    return result;
  } finally {
    submitter.close();
    await worker?.stop();
    await api.stop();
    await store.close();
    probe.disconnect();
  }
}

/**
 * When each task's last stream entry (its final status event) was appended, in the order of
 * `ids`; 0 if none.
 */
async function finalEventTimes(
  redis: Redis | Cluster,
  keyPrefix: string,
  ids: string[],
): Promise<number[]> {
  if (redis instanceof Cluster) {
    // The streams live in different slots: one command each (a cluster pipeline is one slot's).
    const last = await Promise.all(
      ids.map(
        (id) =>
          redis.xrevrange(`${keyPrefix}${taskStreamKey(id)}`, '+', '-', 'COUNT', 1) as Promise<
            [string, string[]][]
          >,
      ),
    );
    return last.map((entries) => (entries[0] ? Number(entries[0][0].split('-')[0]) : 0));
  }
  const pipeline = redis.pipeline();
  for (const id of ids)
    pipeline.xrevrange(`${keyPrefix}${taskStreamKey(id)}`, '+', '-', 'COUNT', 1);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, entries]) => {
    const last =
      !err && Array.isArray(entries) ? (entries[0] as [string, string[]] | undefined) : undefined;
    return last ? Number(last[0].split('-')[0]) : 0;
  });
}

/** Commands per task between two snapshots, less what the benchmark's store sent meanwhile. */
function perTask(
  before: { mongo: OpCounts; redis: OpCounts },
  after: { mongo: OpCounts; redis: OpCounts },
  tasks: number,
  sentBefore: OpCounts,
  sentAfter: OpCounts,
): { mongo: OpCounts; redis: OpCounts } {
  const own: OpCounts = {};
  for (const [name, n] of Object.entries(sentAfter)) own[name] = n - (sentBefore[name] ?? 0);
  return {
    mongo: opsPer(before.mongo, after.mongo, tasks, own),
    redis: opsPer(before.redis, after.redis, tasks),
  };
}

/**
 * 1,000 CodeAgent tasks (router + agent = 2 LLM calls each) through the API and one worker with
 * WORKER_CONCURRENCY=50, at 200 ms per LLM call (ideal 125 tasks/s) and at 0 ms.
 */
export async function runPipelineBench(ctx: BenchContext): Promise<BenchOutcome> {
  const tasks = ctx.quick ? 200 : 1000;
  const paced = ctx.quick ? 60 : 200;
  // BENCH_PIPELINE_ONLY=0 (or 200) runs one phase, e.g. to profile it with BENCH_PROFILE=worker.
  const only = process.env.BENCH_PIPELINE_ONLY;
  const slow = only === '0' ? undefined : await runPhase(ctx, 200, tasks, paced);
  const fast = only === '200' ? undefined : await runPhase(ctx, 0, tasks, paced);
  if (!slow || !fast) {
    return { name: 'pipeline-partial', goals: [], data: { phases: [slow ?? fast] } };
  }
  const ideal = slow.ideal_tasks_per_s!;
  const ratio = slow.drain_tasks_per_s / ideal;
  const overhead = slow.paced.overhead_vs_agent_runs_ms;
  const rows: TableRow[] = [
    {
      metric: 'completed tasks/s (200 ms LLM)',
      service: slow.drain_tasks_per_s,
      reference: ideal,
      ratio,
      goal: '≥ 0.90',
      verdict: verdict(ratio >= 0.9),
    },
    {
      metric: 'overhead p50 ms (e2e − agent runs)',
      service: overhead.p50,
      reference: 0,
      goal: '< 15 ms',
      verdict: verdict(overhead.p50 < 15),
    },
    { metric: 'overhead p99 ms (e2e − agent runs)', service: overhead.p99, reference: 0 },
    {
      metric: 'overhead p50 / p99 ms (e2e − 2×200)',
      service: `${slow.paced.overhead_vs_nominal_llm_ms.p50} / ${slow.paced.overhead_vs_nominal_llm_ms.p99}`,
    },
    {
      metric: 'end-to-end p50 / p99 ms (paced)',
      service: `${slow.paced.end_to_end_ms.p50} / ${slow.paced.end_to_end_ms.p99}`,
      reference: 2 * 200,
    },
    {
      metric: 'created → final event p50 / p99 ms (paced)',
      service: `${slow.paced.to_final_event_ms.p50} / ${slow.paced.to_final_event_ms.p99}`,
      reference: 2 * 200,
    },
    {
      metric: 'pick-up p50 / p99 ms (paced)',
      service: `${slow.paced.pickup_ms.p50} / ${slow.paced.pickup_ms.p99}`,
    },
    {
      metric: 'worker overhead p50 / p99 ms (drain)',
      service: `${slow.worker_overhead_ms.p50} / ${slow.worker_overhead_ms.p99}`,
    },
    { metric: 'completed tasks/s (0 ms LLM)', service: fast.drain_tasks_per_s, reference: 'n/a' },
    {
      metric: 'overhead p50 / p99 ms (0 ms, e2e − agent runs)',
      service: `${fast.paced.overhead_vs_agent_runs_ms.p50} / ${fast.paced.overhead_vs_agent_runs_ms.p99}`,
    },
    {
      metric: 'end-to-end p50 / p99 ms (0 ms, paced)',
      service: `${fast.paced.end_to_end_ms.p50} / ${fast.paced.end_to_end_ms.p99}`,
      reference: 0,
    },
    {
      metric: 'created → final event p50 / p99 ms (0 ms, paced)',
      service: `${fast.paced.to_final_event_ms.p50} / ${fast.paced.to_final_event_ms.p99}`,
      reference: 0,
    },
    { metric: 'agent runs p50 ms per task (0 ms)', service: fast.llm_ms.p50 },
    {
      metric: 'database commands per task (worker)',
      service: totalOps(slow.worker_ops_per_task.mongo),
    },
    {
      metric: 'Redis commands per task (worker)',
      service: totalOps(slow.worker_ops_per_task.redis),
    },
    {
      metric: 'db / Redis commands per task (api+worker)',
      service: `${totalOps(slow.paced.ops_per_task.mongo)} / ${totalOps(slow.paced.ops_per_task.redis)}`,
    },
    {
      metric: 'one round trip p50 ms: db insert / find / Redis',
      service: `${slow.round_trips.db_insert_ms} / ${slow.round_trips.db_find_by_id_ms} / ${slow.round_trips.redis_ping_ms}`,
    },
    {
      metric: 'failed tasks (200 / 0 ms)',
      service: `${slow.failed + slow.paced.failed} / ${fast.failed + fast.paced.failed}`,
    },
  ];
  printTable(
    `Pipeline: ${tasks} tasks, api + 1 worker, WORKER_CONCURRENCY=${CONCURRENCY}, 2 LLM calls per task`,
    'ideal',
    rows,
  );
  const goals: GoalCheck[] = [
    { goal: 'pipeline ≥ 90% of ideal 125 tasks/s', value: round(ratio, 2), pass: ratio >= 0.9 },
    { goal: 'pipeline overhead p50 < 15 ms', value: overhead.p50, pass: overhead.p50 < 15 },
  ];
  // The same 200 ms phase with every Redis connection on a Redis Cluster, beside the node's.
  const cluster =
    process.env.BENCH_CLUSTER === '0'
      ? undefined
      : await runPhase(ctx, 200, tasks, paced, await ctx.backends.cluster());
  if (cluster) {
    printTable(
      `Pipeline on a Redis Cluster (3 masters + 3 replicas) beside one Redis node: ${tasks} tasks, 200 ms LLM`,
      'one node',
      clusterRows(cluster, slow),
    );
    const clusterRatio = cluster.drain_tasks_per_s / ideal;
    goals.push(
      {
        goal: 'pipeline on a Redis Cluster ≥ 90% of ideal 125 tasks/s',
        value: round(clusterRatio, 2),
        pass: clusterRatio >= 0.9,
      },
      {
        goal: 'pipeline overhead p50 < 15 ms on a Redis Cluster',
        value: cluster.paced.overhead_vs_agent_runs_ms.p50,
        pass: cluster.paced.overhead_vs_agent_runs_ms.p50 < 15,
      },
    );
  }
  return {
    name: 'pipeline',
    goals,
    data: {
      concurrency: CONCURRENCY,
      phases: [slow, fast],
      cluster_phases: cluster ? [cluster] : [],
    },
  };
}

/** The cluster's 200 ms phase against the node's, figure by figure (ratio = cluster ÷ node). */
function clusterRows(cluster: PhaseResult, node: PhaseResult): TableRow[] {
  const pair = (metric: string, c: number, n: number): TableRow => ({
    metric,
    service: c,
    reference: n,
    ratio: n ? c / n : '',
  });
  const both = (metric: string, c: Summary, n: Summary): TableRow => ({
    metric,
    service: `${c.p50} / ${c.p99}`,
    reference: `${n.p50} / ${n.p99}`,
  });
  return [
    pair('completed tasks/s (drain)', cluster.drain_tasks_per_s, node.drain_tasks_per_s),
    pair(
      'accepted tasks/s (queue fill, api alone)',
      cluster.prefill_tasks_per_s,
      node.prefill_tasks_per_s,
    ),
    both(
      'overhead p50 / p99 ms (e2e − agent runs)',
      cluster.paced.overhead_vs_agent_runs_ms,
      node.paced.overhead_vs_agent_runs_ms,
    ),
    both('end-to-end p50 / p99 ms (paced)', cluster.paced.end_to_end_ms, node.paced.end_to_end_ms),
    both(
      'created → final event p50 / p99 ms (paced)',
      cluster.paced.to_final_event_ms,
      node.paced.to_final_event_ms,
    ),
    both('pick-up p50 / p99 ms (paced)', cluster.paced.pickup_ms, node.paced.pickup_ms),
    pair(
      'Redis commands per task (worker)',
      totalOps(cluster.worker_ops_per_task.redis),
      totalOps(node.worker_ops_per_task.redis),
    ),
    pair(
      'Redis PING round trip p50 ms',
      cluster.round_trips.redis_ping_ms,
      node.round_trips.redis_ping_ms,
    ),
    {
      metric: 'failed tasks',
      service: cluster.failed + cluster.paced.failed,
      reference: node.failed + node.paced.failed,
    },
    {
      metric: 'Redis CPU while draining (cores)',
      service: cluster.cores_drain.redis ?? 0,
      reference: node.cores_drain.redis ?? 0,
    },
  ];
}
