import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Cluster, Redis } from 'ioredis';
import { READER_IDLE_CLOSE_MS } from '../../src/events/stream-group-follower';
import { TASK_EVENT_GROUPS } from '../../src/redis/redis-keys';
import type { BenchBackends } from './lib/backends';
import { type BenchContext, type BenchOutcome, cpuRoots } from './lib/context';
import { CpuMeter, formatCores } from './lib/cpu';
import { connectionsTo, rssMiB } from './lib/procfs';
import { redisClientTotal, redisProbe } from './lib/redis-probe';
import { type GoalCheck, printTable, type TableRow, verdict } from './lib/report';
import { BENCH_API_KEY, type ServiceHandle, startService } from './lib/service';
import { SseSubscriber } from './lib/sse-client';
import { round, summarize } from './lib/stats';
import { CONTENT_TASKS, TaskSubmitter } from './lib/task-driver';

const LLM_LATENCY_MS = 200;
const CHUNK_DELAY_MS = 10;

interface Snapshot {
  rss_mib: number;
  /** Connections the API process holds to Redis, every node's port (from its sockets in /proc). */
  api_redis_connections: number;
  /** Every client the Redis nodes list (CLIENT LIST), the benchmark's own probe included. */
  redis_clients_total: number;
}

async function snapshot(
  api: ServiceHandle,
  redisPorts: number[],
  probe: Redis | Cluster,
): Promise<Snapshot> {
  return {
    rss_mib: round(rssMiB(api.pid), 1),
    api_redis_connections: redisPorts.reduce((n, port) => n + connectionsTo(api.pid, port), 0),
    redis_clients_total: await redisClientTotal(probe),
  };
}

type SseRun = Awaited<ReturnType<typeof measureSse>>;

/**
 * 1,000 raw SSE subscribers on one API process, spread over 50 ContentAgent tasks (20 each) that
 * run on one worker while they listen: publish-to-receive latency (the event's `at`, stamped by
 * the worker, against arrival in this process: one machine, one clock), API memory, and the
 * Redis connections before, during and after. Measured on the single Redis node, then on a Redis
 * Cluster (BENCH_CLUSTER=0 skips it), in the same run.
 */
export async function runSseBench(ctx: BenchContext): Promise<BenchOutcome> {
  const runs: { topology: string; run: SseRun }[] = [
    { topology: 'one Redis node', run: await measureSse(ctx, ctx.backends, 'node') },
  ];
  if (process.env.BENCH_CLUSTER !== '0') {
    const cluster = await ctx.backends.cluster();
    runs.push({
      topology: 'a Redis Cluster (3 masters + 3 replicas)',
      run: await measureSse(ctx, cluster, 'cluster'),
    });
  }
  const goals: GoalCheck[] = [];
  for (const { topology, run } of runs) {
    printTable(
      `SSE fan-out: ${run.subscribers} subscribers over ${run.tasks} tasks on one API process (worker in its own process), on ${topology}`,
      'reference',
      sseRows(run),
    );
    const on = runs.length > 1 ? ` (${topology})` : '';
    goals.push(
      {
        goal: `SSE publish→receive p99 < 50 ms${on}`,
        value: run.latency_ms.p99,
        pass: run.latency_ms.p99 < 50,
      },
      {
        goal: `SSE API Redis connections: at most one more per tag group at ${run.subscribers} subscribers, back after${on}`,
        value: connectionsText(run),
        pass: connectionsBounded(run),
      },
    );
  }
  return {
    name: 'sse',
    goals,
    data: Object.fromEntries(
      runs.map(({ run }, i) => [i === 0 ? 'node' : 'cluster', run] as const),
    ),
  };
}

/** The API's Redis connections none / 1 subscriber / peak / 2 s after / after the idle close. */
function connectionsText(run: SseRun): string {
  return [run.before, run.one_subscriber, run.peak, run.after, run.idle]
    .map((s) => s.api_redis_connections)
    .join(' / ');
}

/**
 * Bounded by the tag groups, never by the subscribers: from none to the peak, at most one
 * blocking reader per group (TASK_EVENT_GROUPS), and back to none once the readers' groups have
 * been idle for READER_IDLE_CLOSE_MS.
 */
function connectionsBounded(run: SseRun): boolean {
  return (
    run.peak.api_redis_connections - run.before.api_redis_connections <= TASK_EVENT_GROUPS &&
    run.idle.api_redis_connections === run.before.api_redis_connections
  );
}

async function measureSse(ctx: BenchContext, backends: BenchBackends, label: string) {
  const tasks = ctx.quick ? 10 : 50;
  const perTask = ctx.quick ? 10 : 20;
  const subscribers = tasks * perTask;
  const dbName = `bench_${ctx.runId}_sse_${label}`;
  const options = {
    backends,
    dbName,
    keyPrefix: `bench_${ctx.runId}_sse_${label}:`,
    llmUrl: ctx.llm.url,
    env: { WORKER_CONCURRENCY: String(tasks) },
  };
  const ports = backends.redisCluster?.ports ?? [backends.redisPort];
  await ctx.llm.configure(LLM_LATENCY_MS, CHUNK_DELAY_MS);
  const probe = await redisProbe(backends);
  const api = await startService('api', options);
  backends.indexDatabase(dbName);
  const submitter = new TaskSubmitter(api.origin);
  const clients: SseSubscriber[] = [];
  let worker: ServiceHandle | undefined;
  try {
    const ids = await submitter.submitMany(tasks, CONTENT_TASKS);
    submitter.close();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await snapshot(api, ports, probe);

    // One subscriber first: the API opens the blocking reader of the first stream's tag group.
    const first = new SseSubscriber(api.origin, ids[0], BENCH_API_KEY);
    clients.push(first);
    await first.open();
    while (first.events.length === 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const one = await snapshot(api, ports, probe);

    // The rest in waves of 100, so the listen backlog is not the thing being measured.
    const connectStarted = Date.now();
    for (let i = 1; i < subscribers; i += 100) {
      const wave = Array.from({ length: Math.min(100, subscribers - i) }, (_, j) => {
        const client = new SseSubscriber(api.origin, ids[(i + j) % tasks], BENCH_API_KEY);
        clients.push(client);
        return client.open();
      });
      await Promise.all(wave);
    }
    const connectMs = Date.now() - connectStarted;
    // Everyone has the replayed "queued" event: every subscription is live.
    const deadline = Date.now() + 30_000;
    while (clients.some((c) => c.events.length === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const connected = await snapshot(api, ports, probe);
    ctx.log(
      `sse ${label}: ${subscribers} subscribers open in ${connectMs} ms; api RSS ${connected.rss_mib} MiB`,
    );

    // Start the worker: from now on every event is published while they listen.
    const liveFrom = Date.now();
    // How late this process's own event loop ran meanwhile: arrival stamps are late by as much.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    worker = await startService('worker', options);
    const meter = new CpuMeter(cpuRoots(ctx, { api: api.pid, worker: worker.pid }, backends));
    meter.begin();
    let peak = connected;
    const runDeadline = Date.now() + 180_000;
    while (clients.some((c) => !c.ended && !c.error) && Date.now() < runDeadline) {
      const s = await snapshot(api, ports, probe);
      peak = {
        rss_mib: Math.max(peak.rss_mib, s.rss_mib),
        api_redis_connections: Math.max(peak.api_redis_connections, s.api_redis_connections),
        redis_clients_total: Math.max(peak.redis_clients_total, s.redis_clients_total),
      };
      await new Promise((r) => setTimeout(r, 200));
    }
    const cores = meter.end();
    loopDelay.disable();
    const benchLoopDelay = {
      p50: round(loopDelay.percentile(50) / 1e6, 1),
      p99: round(loopDelay.percentile(99) / 1e6, 1),
      max: round(loopDelay.max / 1e6, 1),
    };
    const unfinished = clients.filter((c) => !c.ended).length;
    await new Promise((r) => setTimeout(r, 2000));
    const after = await snapshot(api, ports, probe);
    // Every group has been without followers since they closed: the readers give their
    // connections back.
    await new Promise((r) => setTimeout(r, READER_IDLE_CLOSE_MS + 3000));
    const idle = await snapshot(api, ports, probe);

    // Latency of live events; completeness of every subscriber's sequence.
    const latencies: number[] = [];
    // Split at the stream entry's id (Redis's clock at XADD): worker stamp → XADD, XADD → arrival.
    const toAppend: number[] = [];
    const toReceive: number[] = [];
    let received = 0;
    let gaps = 0;
    let withFinal = 0;
    const gapExamples: string[] = [];
    for (const client of clients) {
      received += client.events.length;
      const seqs = client.events.map((e) => e.data.seq ?? 0);
      if (seqs.some((s, i) => s !== i + 1)) {
        gaps++;
        if (gapExamples.length < 5) {
          gapExamples.push(
            client.events.map((e) => `${e.data.seq}:${e.data.status ?? e.name}`).join(' '),
          );
        }
      }
      if (client.events.some((e) => e.data.status === 'completed' || e.data.status === 'failed'))
        withFinal++;
      for (const event of client.events) {
        const at = event.data.at ? Date.parse(event.data.at) : NaN;
        if (at >= liveFrom) {
          latencies.push(event.receivedAt - at);
          const appended = Number(event.id.split('-')[0]);
          if (appended > 0) {
            toAppend.push(appended - at);
            toReceive.push(event.receivedAt - appended);
          }
        }
      }
    }
    const latency = summarize(latencies);
    const appendLatency = summarize(toAppend);
    const deliveryLatency = summarize(toReceive);
    ctx.log(
      `sse ${label}: ${received} events (${latencies.length} live), latency p50 ${latency.p50} / p99 ${latency.p99} / max ${latency.max} ms; cores: ${formatCores(cores)}`,
    );
    return {
      subscribers,
      tasks,
      llm_latency_ms: LLM_LATENCY_MS,
      chunk_delay_ms: CHUNK_DELAY_MS,
      connect_ms: connectMs,
      latency_ms: latency,
      stamp_to_append_ms: appendLatency,
      append_to_receive_ms: deliveryLatency,
      bench_event_loop_delay_ms: benchLoopDelay,
      events_received: received,
      live_events: latencies.length,
      subscribers_with_final_event: withFinal,
      subscribers_with_gaps: gaps,
      gap_examples: gapExamples,
      unfinished_subscribers: unfinished,
      before,
      one_subscriber: one,
      subscribed: connected,
      peak,
      after,
      idle,
      cores,
    };
  } finally {
    for (const client of clients) client.close();
    submitter.close();
    await worker?.stop();
    await api.stop();
    probe.disconnect();
  }
}

function sseRows(run: SseRun): TableRow[] {
  const { latency_ms: latency, before, one_subscriber: one, peak, after, idle } = run;
  return [
    { metric: 'publish→receive p50 (ms)', service: latency.p50 },
    {
      metric: 'publish→receive p99 (ms)',
      service: latency.p99,
      reference: 50,
      ratio: latency.p99 / 50,
      goal: '< 50 ms',
      verdict: verdict(latency.p99 < 50),
    },
    { metric: 'publish→receive max (ms)', service: latency.max },
    {
      metric: '  of which stamp→XADD p50 / p99 (worker)',
      service: `${run.stamp_to_append_ms.p50} / ${run.stamp_to_append_ms.p99}`,
    },
    {
      metric: '  of which XADD→receive p50 / p99 (API)',
      service: `${run.append_to_receive_ms.p50} / ${run.append_to_receive_ms.p99}`,
    },
    {
      metric: '  benchmark event-loop delay p50 / p99 (ms)',
      service: `${run.bench_event_loop_delay_ms.p50} / ${run.bench_event_loop_delay_ms.p99}`,
    },
    { metric: 'live events received', service: run.live_events },
    {
      metric: 'subscribers with final event / gaps',
      service: `${run.subscribers_with_final_event} / ${run.subscribers_with_gaps}`,
      reference: `${run.subscribers} / 0`,
    },
    {
      metric: `API Redis conns at 1 / ${run.subscribers} subscribers`,
      service: `${one.api_redis_connections} / ${peak.api_redis_connections}`,
    },
    {
      metric: 'API Redis conns: none / 1 sub / peak / after / idle',
      service: connectionsText(run),
      reference: `peak ≤ none + ${TASK_EVENT_GROUPS}`,
      goal: 'one per tag group',
      verdict: verdict(connectionsBounded(run)),
    },
    {
      metric: 'Redis CLIENT LIST: none / 1 sub / peak / after / idle',
      service: [before, one, peak, after, idle].map((s) => s.redis_clients_total).join(' / '),
    },
    {
      metric: 'API RSS MiB before / subscribed / peak / after',
      service: `${before.rss_mib} / ${run.subscribed.rss_mib} / ${peak.rss_mib} / ${after.rss_mib}`,
    },
    { metric: 'API CPU while streaming (cores)', service: run.cores.api },
  ];
}
