import { Registry } from 'prom-client';
import { type TaskFinished, TaskFinishedSignal } from '../events/task-finished.signal';
import { AppMetrics } from './app-metrics';
import { TaskMetricsListener } from './task-metrics.listener';

const register = new Registry();

/** A sample's value; `family` is the metric (for a histogram's `_sum`, `_count` series too). */
async function value(name: string, labels: Record<string, string>, family = name): Promise<number> {
  const metric = await register.getSingleMetric(family)?.get();
  const sample = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? family) === name &&
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return sample?.value ?? 0;
}

const finished = (over: Partial<TaskFinished>): TaskFinished => ({
  task_id: 't',
  session_id: 's',
  status: 'completed',
  agent: null,
  agent_type: null,
  duration_ms: 0,
  webhook_url: null,
  ...over,
});

describe('TaskMetricsListener', () => {
  const signal = new TaskFinishedSignal();
  const listener = new TaskMetricsListener(signal, new AppMetrics(register));
  beforeAll(() => listener.onModuleInit());
  afterAll(() => listener.onModuleDestroy());

  it('counts each task.finished by agent and status, with its duration', async () => {
    await signal.emit(finished({ task_id: 't1', agent: 'CodeAgent', duration_ms: 1500 }));
    await signal.emit(finished({ task_id: 't2', status: 'failed', duration_ms: 200 }));
    expect(
      await value('agent_orchestrator_tasks_total', { agent: 'CodeAgent', status: 'completed' }),
    ).toBe(1);
    expect(await value('agent_orchestrator_tasks_total', { agent: 'none', status: 'failed' })).toBe(
      1,
    );
    const durations = 'agent_orchestrator_task_duration_seconds';
    expect(await value(`${durations}_sum`, { agent: 'CodeAgent' }, durations)).toBeCloseTo(1.5, 6);
    expect(await value(`${durations}_count`, { agent: 'none' }, durations)).toBe(1);
  });

  it('stops counting once the app is destroyed', async () => {
    listener.onModuleDestroy();
    await signal.emit(finished({ task_id: 't3', status: 'cancelled' }));
    expect(
      await value('agent_orchestrator_tasks_total', { agent: 'none', status: 'cancelled' }),
    ).toBe(0);
  });
});
