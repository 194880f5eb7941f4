import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { type BenchContext, type BenchOutcome, cpuRoots } from './lib/context';
import { CpuMeter, formatCores } from './lib/cpu';
import { connectionsTo, rssMiB } from './lib/procfs';
import { printTable, type TableRow, verdict } from './lib/report';
import { BENCH_API_KEY, type ServiceHandle, startService } from './lib/service';
import { SseSubscriber } from './lib/sse-client';
import { round, summarize } from './lib/stats';
import { CONTENT_TASKS, TaskSubmitter } from './lib/task-driver';

const LLM_LATENCY_MS = 200;
const CHUNK_DELAY_MS = 10;

interface Snapshot {
  rss_mib: number;
  /** Connections the API process holds to Redis (from its sockets in /proc). */
  api_redis_connections: number;
  /** Every client Redis lists (CLIENT LIST), the benchmark's own probe included. */
  redis_clients_total: number;
}

async function snapshot(api: ServiceHandle, redisPort: number, probe: Redis): Promise<Snapshot> {
  const list = (await probe.client('LIST')) as string;
  return {
    rss_mib: round(rssMiB(api.pid), 1),
    api_redis_connections: connectionsTo(api.pid, redisPort),
    redis_clients_total: list.trim().split('\n').length,
  };
}

/**
 * 1,000 raw SSE subscribers on one API process, spread over 50 ContentAgent tasks (20 each) that
 * run on one worker while they listen: publish-to-receive latency (the event's `at`, stamped by
 * the worker, against arrival in this process: one machine, one clock), API memory, and the
 * Redis connections before, during and after.
 */
export async function runSseBench(ctx: BenchContext): Promise<BenchOutcome> {
  const tasks = ctx.quick ? 10 : 50;
  const perTask = ctx.quick ? 10 : 20;
  const subscribers = tasks * perTask;
  const dbName = `bench_${ctx.runId}_sse`;
  const options = {
    backends: ctx.backends,
    dbName,
    keyPrefix: `bench_${ctx.runId}_sse:`,
    llmUrl: ctx.llm.url,
    env: { WORKER_CONCURRENCY: String(tasks) },
  };
  await ctx.llm.configure(LLM_LATENCY_MS, CHUNK_DELAY_MS);
  const probe = new Redis(ctx.backends.redisUrl, { connectionName: 'bench:probe' });
  const api = await startService('api', options);
  ctx.backends.indexDatabase(dbName);
  const submitter = new TaskSubmitter(api.origin);
  const clients: SseSubscriber[] = [];
  let worker: ServiceHandle | undefined;
  try {
    const ids = await submitter.submitMany(tasks, CONTENT_TASKS);
    submitter.close();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await snapshot(api, ctx.backends.redisPort, probe);

    // One subscriber first: the API opens its one shared blocking reader for the first stream.
    const first = new SseSubscriber(api.origin, ids[0], BENCH_API_KEY);
    clients.push(first);
    await first.open();
    while (first.events.length === 0) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const one = await snapshot(api, ctx.backends.redisPort, probe);

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
    const connected = await snapshot(api, ctx.backends.redisPort, probe);
    ctx.log(
      `sse: ${subscribers} subscribers open in ${connectMs} ms; api RSS ${connected.rss_mib} MiB`,
    );

    // Start the worker: from now on every event is published while they listen.
    const liveFrom = Date.now();
    // How late this process's own event loop ran meanwhile: arrival stamps are late by as much.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    worker = await startService('worker', options);
    const meter = new CpuMeter(cpuRoots(ctx, { api: api.pid, worker: worker.pid }));
    meter.begin();
    let peak = connected;
    const runDeadline = Date.now() + 180_000;
    while (clients.some((c) => !c.ended && !c.error) && Date.now() < runDeadline) {
      const s = await snapshot(api, ctx.backends.redisPort, probe);
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
    const after = await snapshot(api, ctx.backends.redisPort, probe);

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
      `sse: ${received} events (${latencies.length} live), latency p50 ${latency.p50} / p99 ${latency.p99} / max ${latency.max} ms; cores: ${formatCores(cores)}`,
    );
    // Unchanged from one subscriber to all of them, and after they leave.
    const connectionsUnchanged =
      peak.api_redis_connections === one.api_redis_connections &&
      after.api_redis_connections === one.api_redis_connections;
    const connectionsText = `${before.api_redis_connections} / ${one.api_redis_connections} / ${peak.api_redis_connections} / ${after.api_redis_connections}`;
    const rows: TableRow[] = [
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
        service: `${appendLatency.p50} / ${appendLatency.p99}`,
      },
      {
        metric: '  of which XADD→receive p50 / p99 (API)',
        service: `${deliveryLatency.p50} / ${deliveryLatency.p99}`,
      },
      {
        metric: '  benchmark event-loop delay p50 / p99 (ms)',
        service: `${benchLoopDelay.p50} / ${benchLoopDelay.p99}`,
      },
      { metric: 'live events received', service: latencies.length },
      {
        metric: 'subscribers with final event / gaps',
        service: `${withFinal} / ${gaps}`,
        reference: `${subscribers} / 0`,
      },
      {
        metric: 'API Redis conns: none / 1 sub / peak / after',
        service: connectionsText,
        goal: 'unchanged',
        verdict: verdict(connectionsUnchanged),
      },
      {
        metric: 'Redis CLIENT LIST: none / 1 sub / peak / after',
        service: `${before.redis_clients_total} / ${one.redis_clients_total} / ${peak.redis_clients_total} / ${after.redis_clients_total}`,
      },
      {
        metric: 'API RSS MiB before / subscribed / peak / after',
        service: `${before.rss_mib} / ${connected.rss_mib} / ${peak.rss_mib} / ${after.rss_mib}`,
      },
      { metric: 'API CPU while streaming (cores)', service: cores.api },
    ];
    printTable(
      `SSE fan-out: ${subscribers} subscribers over ${tasks} tasks on one API process (worker in its own process)`,
      'reference',
      rows,
    );
    return {
      name: 'sse',
      goals: [
        { goal: 'SSE publish→receive p99 < 50 ms', value: latency.p99, pass: latency.p99 < 50 },
        {
          goal: 'SSE API Redis connections unchanged',
          value: connectionsText,
          pass: connectionsUnchanged,
        },
      ],
      data: {
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
        cores,
      },
    };
  } finally {
    for (const client of clients) client.close();
    submitter.close();
    await worker?.stop();
    await api.stop();
    probe.disconnect();
  }
}
