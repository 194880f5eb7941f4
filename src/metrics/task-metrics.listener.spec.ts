import { Registry } from 'prom-client';
import type { TaskEventInput } from '../tasks/task-event';
import { TaskEventsPublisher } from '../tasks/task-events.publisher';
import { AppMetrics } from './app-metrics';
import { TaskMetricsListener } from './task-metrics.listener';

const register = new Registry();

/** Publishes to in-process listeners only; a task's second final event is a repeat. */
class LocalPublisher extends TaskEventsPublisher {
  private seq = 0;
  private readonly finished = new Set<string>();

  publish(event: TaskEventInput): Promise<void> {
    const final = ['completed', 'failed', 'cancelled'].includes(event.status ?? '');
    const repeat = final && this.finished.has(event.task_id);
    if (final) this.finished.add(event.task_id);
    this.notifyLocal({ ...event, seq: ++this.seq, at: new Date().toISOString() }, { repeat });
    return Promise.resolve();
  }
}

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

describe('TaskMetricsListener', () => {
  const events = new LocalPublisher();
  const listener = new TaskMetricsListener(events, new AppMetrics(register));
  beforeAll(() => listener.onModuleInit());
  afterAll(() => listener.onModuleDestroy());

  it('counts final status events by agent and status, with their duration', async () => {
    await events.publish({
      task_id: 't1',
      type: 'status',
      status: 'completed',
      data: { agent: 'CodeAgent', duration_ms: 1500 },
    });
    await events.publish({
      task_id: 't2',
      type: 'status',
      status: 'failed',
      data: { agent: null, duration_ms: 200 },
    });
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

  it('ignores progress and non-final status events', async () => {
    await events.publish({ task_id: 't3', type: 'status', status: 'processing' });
    await events.publish({ task_id: 't3', type: 'status', status: 'retrying' });
    await events.publish({ task_id: 't3', type: 'delta', data: { text: 'x' } });
    const all = await register.getSingleMetric('agent_orchestrator_tasks_total')?.get();
    expect(all?.values.reduce((sum, v) => sum + v.value, 0)).toBe(2);
  });

  it('does not count a final event published again for the same task', async () => {
    await events.publish({
      task_id: 't1',
      type: 'status',
      status: 'completed',
      data: { agent: 'CodeAgent', duration_ms: 1500 },
    });
    expect(
      await value('agent_orchestrator_tasks_total', { agent: 'CodeAgent', status: 'completed' }),
    ).toBe(1);
  });
});
