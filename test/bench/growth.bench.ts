import { Agent, request } from 'node:http';
import { type BenchContext, type BenchOutcome, cpuRoots } from './lib/context';
import { CpuMeter } from './lib/cpu';
import { type GoalCheck, printTable, type TableRow, verdict } from './lib/report';
import { BENCH_API_KEY, startService } from './lib/service';
import { round, summarize, type Summary } from './lib/stats';
import { CODE_TASKS } from './lib/task-driver';

const GOAL = 1.3;
/** Tasks per session: the first starts it, the others are follow-ups naming its session_id. */
const TASKS_PER_SESSION = 5;

type Endpoint = 'accept' | 'task_read' | 'task_list' | 'session_read';
const ENDPOINTS: Endpoint[] = ['accept', 'task_read', 'task_list', 'session_read'];
const LABELS: Record<Endpoint, string> = {
  accept: 'POST /v1/agent/execute',
  task_read: 'GET /v1/tasks/{id}',
  task_list: 'GET /v1/tasks (first page)',
  session_read: 'GET /v1/sessions/{id}',
};

/** One request on a keep-alive connection: status, body and wall time (ms). */
function timed(
  agent: Agent,
  origin: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; ms: number; body: string }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, origin),
      {
        method,
        agent,
        headers: {
          'x-api-key': BENCH_API_KEY,
          ...(text
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
            : {}),
        },
      },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (out += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            body: out,
          }),
        );
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path}: no answer in 120 s`)));
    req.on('error', reject);
    req.end(text);
  });
}

interface Window {
  name: 'first' | 'last';
  from: number;
  to: number;
  samples: Record<Endpoint, number[]>;
  /** Reads stop when the window's read budget is spent (the accepts go on); said here. */
  reads_stopped_at?: number;
  db_cpu_ms_per_accept: number;
}

/**
 * The api alone on FerretDB/SQLite (the database `npm start` falls back to) and an empty
 * database: TASKS tasks POSTed one at a time, in sessions of five. Each task of the first and
 * the last WINDOW is also read back right after its accept (detail, first page of the list, its
 * session), so each figure compares the same requests on a small and on a large database.
 */
export async function runGrowthBench(ctx: BenchContext): Promise<BenchOutcome> {
  const total = ctx.quick ? 1000 : Number(process.env.BENCH_GROWTH_TASKS ?? 10_000);
  const windowSize = ctx.quick ? 100 : 500;
  const readBudgetMs = Number(process.env.BENCH_GROWTH_READ_BUDGET_S ?? 120) * 1000;
  const backends = await ctx.backends.sqlite();
  const dbName = `bench_${ctx.runId}_growth`;
  const api = await startService('api', {
    backends,
    dbName,
    keyPrefix: `bench_${ctx.runId}_growth:`,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const windows: Window[] = [
    { name: 'first', from: 0, to: windowSize },
    { name: 'last', from: total - windowSize, to: total },
  ].map((w) => ({
    ...(w as Pick<Window, 'name' | 'from' | 'to'>),
    samples: { accept: [], task_read: [], task_list: [], session_read: [] },
    db_cpu_ms_per_accept: NaN,
  }));
  const started = Date.now();
  let sessionId: string | undefined;
  try {
    let current: { window: Window; meter: CpuMeter; readsUntil: number } | undefined;
    for (let i = 0; i < total; i++) {
      const window = windows.find((w) => i >= w.from && i < w.to);
      if (window && current?.window !== window) {
        const meter = new CpuMeter(cpuRoots(ctx, { api: api.pid }, backends));
        meter.begin();
        current = { window, meter, readsUntil: Date.now() + readBudgetMs };
      }
      const follows = i % TASKS_PER_SESSION !== 0 && sessionId !== undefined;
      const accepted = await timed(agent, api.origin, 'POST', '/v1/agent/execute', {
        task: CODE_TASKS[i % CODE_TASKS.length],
        ...(follows ? { session_id: sessionId } : {}),
      });
      if (accepted.status !== 200) {
        throw new Error(`task ${i}: POST answered ${accepted.status}: ${accepted.body}`);
      }
      const body = JSON.parse(accepted.body) as { task_id: string; session_id: string };
      sessionId = body.session_id;
      if (window && current) {
        window.samples.accept.push(accepted.ms);
        if (Date.now() < current.readsUntil) {
          const reads: [Endpoint, string][] = [
            ['task_read', `/v1/tasks/${body.task_id}`],
            ['task_list', '/v1/tasks?page=1&page_size=20'],
            ['session_read', `/v1/sessions/${body.session_id}`],
          ];
          for (const [endpoint, path] of reads) {
            const res = await timed(agent, api.origin, 'GET', path);
            if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.body}`);
            window.samples[endpoint].push(res.ms);
          }
        } else {
          window.reads_stopped_at ??= i;
        }
        if (i === window.to - 1) {
          // Reads ran in the same window, so this is an upper bound of the accepts' share.
          const cpu = current.meter.endWithMs();
          window.db_cpu_ms_per_accept = round(cpu.ms.db / windowSize, 2);
          current = undefined;
        }
      }
      if ((i + 1) % 1000 === 0) {
        ctx.log(
          `growth: ${i + 1} of ${total} tasks accepted (${round((Date.now() - started) / 1000)} s)`,
        );
      }
    }
  } finally {
    agent.destroy();
    await api.stop();
  }

  const [first, last] = windows;
  const figures = Object.fromEntries(
    ENDPOINTS.map((e) => {
      const a = summarize(first.samples[e]);
      const b = summarize(last.samples[e]);
      return [e, { first: a, last: b, ratio_p50: round(b.p50 / a.p50, 2) }];
    }),
  ) as Record<Endpoint, { first: Summary; last: Summary; ratio_p50: number }>;
  const goalOf = (e: Endpoint): boolean => figures[e].ratio_p50 <= GOAL;
  const rows: TableRow[] = ENDPOINTS.map((e) => ({
    metric: `${LABELS[e]} p50 ms (n ${figures[e].first.count} / ${figures[e].last.count})`,
    service: figures[e].last.p50,
    reference: figures[e].first.p50,
    ratio: figures[e].ratio_p50,
    ...(e === 'accept' || e === 'task_read'
      ? { goal: `≤ ${GOAL}`, verdict: verdict(goalOf(e)) }
      : {}),
  }));
  rows.push({
    metric: 'database CPU ms per accepted task (window)',
    service: last.db_cpu_ms_per_accept,
    reference: first.db_cpu_ms_per_accept,
    ratio: round(last.db_cpu_ms_per_accept / first.db_cpu_ms_per_accept, 2),
  });
  printTable(
    `Growth on ${backends.mongoKind}: api alone, ${total} tasks POSTed one at a time; last ${windowSize} vs first ${windowSize}`,
    `first ${windowSize}`,
    rows,
  );
  for (const w of windows) {
    if (w.reads_stopped_at !== undefined) {
      ctx.log(
        `growth: reads of the ${w.name} window stopped at task ${w.reads_stopped_at} (BENCH_GROWTH_READ_BUDGET_S spent)`,
      );
    }
  }
  const goals: GoalCheck[] = (['accept', 'task_read'] as const).map((e) => ({
    goal: `${LABELS[e]} p50, last ${windowSize} ÷ first ${windowSize} at ${total} tasks ≤ ${GOAL} (${backends.mongoKind})`,
    value: figures[e].ratio_p50,
    pass: goalOf(e),
  }));
  return {
    name: 'growth',
    goals,
    data: {
      database: backends.mongoKind,
      database_version: backends.mongoVersion,
      tasks: total,
      window: windowSize,
      tasks_per_session: TASKS_PER_SESSION,
      read_budget_s: readBudgetMs / 1000,
      figures,
      windows: windows.map(({ samples: _samples, ...w }) => w),
      runtime_s: round((Date.now() - started) / 1000, 1),
    },
  };
}
