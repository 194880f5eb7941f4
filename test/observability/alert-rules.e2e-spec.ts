import { readFileSync } from 'node:fs';
import { createTestApp, type TestApp } from '@agent-orchestrator/testing';
import request from 'supertest';
import { parse } from 'yaml';
import { PrometheusText } from './prometheus-text';
import { ALERT_TESTS_FILE, ALERTS_FILE, PROMETHEUS_DIR, promtool } from './prometheus-tools';

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: unknown[] }[] }[];
}

const alerts = (parse(readFileSync(ALERTS_FILE, 'utf8')) as RuleFile).groups.flatMap(
  (g) => g.rules,
);

/** What the issue asks the rules to cover, by the alert that covers it. */
const COVERED = {
  'queue backlog age': 'AgentOrchestratorQueueBacklogOld',
  'failure ratio': 'AgentOrchestratorTaskFailureRatioHigh',
  'LLM error ratio': 'AgentOrchestratorLlmErrorRatioHigh',
  'p95 latency': 'AgentOrchestratorHttpLatencyP95High',
  'reconciler requeues': 'AgentOrchestratorReconcilerRequeuing',
  'worker absent': 'AgentOrchestratorWorkerAbsent',
  'budget exhaustion': 'AgentOrchestratorBudgetExhausted',
  'webhook delivery failures': 'AgentOrchestratorWebhookDeliveriesFailing',
};

describe('alert rules (docker/prometheus/alerts.yml), checked by promtool', () => {
  it('are valid rules, one for each failure the service can alert on', async () => {
    const checked = await promtool('check', 'rules', ALERTS_FILE);
    expect(checked).toMatchObject({ code: 0, output: expect.stringContaining('SUCCESS') });
    expect(alerts.map((r) => r.alert).sort()).toEqual(Object.values(COVERED).sort());
  });

  it('pass their promtool unit tests, which fire and then resolve every alert', async () => {
    const tested = await promtool('test', 'rules', ALERT_TESTS_FILE);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code).toBe(0);

    const cases = (parse(readFileSync(ALERT_TESTS_FILE, 'utf8')) as RuleTests).tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    );
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      const fires = mine.filter((c) => (c.exp_alerts ?? []).length > 0);
      const firstFiring = Math.min(...fires.map((c) => minutes(c.eval_time)));
      const resolves = mine.filter(
        (c) => (c.exp_alerts ?? []).length === 0 && minutes(c.eval_time) > firstFiring,
      );
      expect({ alert, fires: fires.length > 0, resolves: resolves.length > 0 }).toEqual({
        alert,
        fires: true,
        resolves: true,
      });
    }
  });

  it('load into the Prometheus configuration shipped for compose', async () => {
    const checked = await promtool('check', 'config', `${PROMETHEUS_DIR}/prometheus.yml`);
    expect(checked.output).toContain('SUCCESS: 8 rules found');
    expect(checked.code).toBe(0);
  });

  describe('against the metrics the service serves', () => {
    let api: TestApp;
    let worker: TestApp;
    beforeAll(async () => {
      api = await createTestApp({ mode: 'api' });
      worker = await createTestApp({ mode: 'worker', backends: api.backends, keepDatabase: true });
    });
    afterAll(async () => {
      await worker.close();
      await api.close();
    });

    it('use only metric names that the api or the worker exports', async () => {
      const families = new Set<string>();
      for (const t of [api, worker]) {
        const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
        for (const name of new PrometheusText(res.text).families.keys()) families.add(name);
      }
      const used = new Set(
        alerts.flatMap((r) => r.expr.match(/\b(?:agent_orchestrator|api_http)_\w+/g) ?? []),
      );
      const unknown = [...used].filter(
        (name) => !families.has(name) && !families.has(name.replace(/_(bucket|sum|count)$/, '')),
      );
      expect(unknown).toEqual([]);
      expect(used.size).toBeGreaterThanOrEqual(8);
    });
  });
});

/** promtool's durations in these tests: `45m`, `2h`. */
function minutes(duration: string): number {
  const match = /^(\d+)([mh])$/.exec(duration);
  if (!match) throw new Error(`unexpected eval_time ${duration}`);
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
}
