import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  isRouterRequest,
  type LlmServers,
  ServiceProcess,
  startLlmServers,
  testBackends,
  type TestBackends,
  waitFor,
} from '@agent-orchestrator/testing';
import { createConnection } from 'mongoose';
import { AppProcesses, type AppProcess } from '../../libs/testing/src/reliability';
import { processBackends } from '../reliability/chaos-fixture';
import { ALERTS_FILE, DASHBOARD_FILE, prometheusBinary } from './prometheus-tools';

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
interface DashboardPanel {
  title: string;
  targets?: { expr: string }[];
}

/** Every query of the Grafana dashboard, with its variables as Grafana would fill them. */
function dashboardQueries(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
    panels: DashboardPanel[];
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      panel: panel.title,
      expr: t.expr.replaceAll('$job', '.*').replaceAll('$__range', '5m'),
    })),
  );
}

/** The shipped rules with their `for:` durations cut to nothing, so a test need not wait minutes. */
function alertsWithoutDelay(): string {
  return readFileSync(ALERTS_FILE, 'utf8').replace(/^(\s+for:) \S+$/gm, '$1 0s');
}

describe('a real Prometheus scraping a running api and worker', () => {
  let servers: LlmServers;
  let backends: TestBackends;
  let processes: AppProcesses;
  let api: AppProcess;
  let worker: AppProcess;
  let prometheus: ServiceProcess;
  let prometheusUrl: string;
  let dir: string;

  beforeAll(async () => {
    servers = await startLlmServers();
    backends = testBackends();
    processes = new AppProcesses(processBackends(backends), {
      ...servers.env,
      LLM_MAX_RETRIES: '0',
      QUEUE_MAX_RETRIES: '0',
    });
    [api, worker] = await Promise.all([processes.start('api'), processes.start('worker')]);

    dir = mkdtempSync(join(tmpdir(), 'ao-prometheus-'));
    writeFileSync(join(dir, 'alerts.yml'), alertsWithoutDelay());
    const target = (p: AppProcess) => `'${new URL(p.base).host}'`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [alerts.yml]',
        'scrape_configs:',
        `  - { job_name: agent-orchestrator-api, static_configs: [{ targets: [${target(api)}] }] }`,
        `  - { job_name: agent-orchestrator-worker, static_configs: [{ targets: [${target(worker)}] }] }`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheus = new ServiceProcess({
      name: 'prometheus',
      command: prometheusBinary('prometheus'),
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      port,
    });
    await prometheus.start();
    prometheusUrl = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await processes?.killAll();
    await servers?.close();
    if (backends) {
      const db = await createConnection(backends.mongoUri, { dbName: backends.mongoDbName })
        .asPromise()
        .catch(() => undefined);
      await db?.dropDatabase().catch(() => undefined);
      await db?.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (expr: string): Promise<PromSample[]> => {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: [] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  };
  const alerts = async (): Promise<PromAlert[]> => {
    const res = await fetch(`${prometheusUrl}/api/v1/alerts`);
    return ((await res.json()) as { data: { alerts: PromAlert[] } }).data.alerts;
  };
  const firing = async (name: string) =>
    (await alerts()).some((a) => a.labels.alertname === name && a.state === 'firing');
  const submit = async (task: string): Promise<string> => {
    const res = await fetch(`${api.base}/v1/agent/execute`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ task }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { task_id: string }).task_id;
  };
  const finished = (taskId: string) =>
    waitFor(async () => {
      const res = await fetch(`${api.base}/v1/tasks/${taskId}`);
      const task = (await res.json()) as { status: string };
      return ['completed', 'failed', 'cancelled'].includes(task.status) && task.status;
    }, `task ${taskId} to finish`);

  it('scrapes both targets, and only the api exports the API-only series', async () => {
    const up = await waitFor(async () => {
      const samples = await query('up');
      return samples.length === 2 && samples.every((s) => s.value[1] === '1') && samples;
    }, 'both targets to be up');
    expect(up.map((s) => s.metric.job).sort()).toEqual([
      'agent-orchestrator-api',
      'agent-orchestrator-worker',
    ]);
    const modes = await query('agent_orchestrator_build_info');
    expect(Object.fromEntries(modes.map((s) => [s.metric.job, s.metric.mode]))).toEqual({
      'agent-orchestrator-api': 'api',
      'agent-orchestrator-worker': 'worker',
    });
    const apiOnly = await query(
      'count by (job) ({__name__=~"agent_orchestrator_(sse_connections|rate_limited_total)"})',
    );
    expect(apiOnly.map((s) => s.metric.job)).toEqual(['agent-orchestrator-api']);
  });

  it('answers every query of the Grafana dashboard with series once a task has run', async () => {
    expect(await finished(await submit('Write a Python function that reverses a string'))).toBe(
      'completed',
    );
    expect(await finished(await submit('Write a short blog post about Redis streams'))).toBe(
      'completed',
    );
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const empty = await waitFor(
      async () => {
        const missing: string[] = [];
        for (const q of queries) {
          if ((await query(q.expr)).length === 0) missing.push(`${q.panel}: ${q.expr}`);
        }
        return missing.length === 0 && missing;
      },
      'every dashboard query to return a series',
      30_000,
    ).catch(async (err: Error) => {
      const missing = [];
      for (const q of queries) if ((await query(q.expr)).length === 0) missing.push(q.panel);
      throw new Error(`${err.message}; still empty: ${missing.join(', ')}`);
    });
    expect(empty).toEqual([]);
    // Nothing is wrong yet, so nothing fires.
    expect((await alerts()).filter((a) => a.state === 'firing')).toEqual([]);
  });

  it('fires the LLM error and task failure alerts when the LLM provider fails', async () => {
    // Every agent call answers 500; with no retries each task fails at once.
    servers.llm.when((r) => !isRouterRequest(r), { fault: { type: 'server_error' } });
    const failed: string[] = [];
    await waitFor(
      async () => {
        if (failed.length < 40)
          failed.push(await submit(`Write a Python function #${failed.length}`));
        await finished(failed.at(-1)!);
        return (
          (await firing('AgentOrchestratorLlmErrorRatioHigh')) &&
          (await firing('AgentOrchestratorTaskFailureRatioHigh'))
        );
      },
      'the LLM error ratio and task failure ratio alerts to fire',
      90_000,
    );
    expect(await finished(failed[0])).toBe('failed');
    expect(await firing('AgentOrchestratorWorkerAbsent')).toBe(false);
  }, 120_000);

  it('fires WorkerAbsent once the only worker stops', async () => {
    worker.kill('SIGTERM');
    await worker.exited;
    await waitFor(() => firing('AgentOrchestratorWorkerAbsent'), 'WorkerAbsent to fire', 30_000);
  }, 60_000);
});
