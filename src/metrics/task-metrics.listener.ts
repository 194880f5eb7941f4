import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { TaskEvent } from '../tasks/task-event';
import { TaskEventsPublisher } from '../tasks/task-events.publisher';
import { FINISHED_STATUSES, type TaskStatus } from '../tasks/task.record';
import { AppMetrics } from './app-metrics';

/**
 * Counts tasks reaching a final state (`agent_orchestrator_tasks_total`, `agent_orchestrator_task_duration_seconds`) from the final
 * status events this process publishes, so each task is counted by the process that finished it.
 */
@Injectable()
export class TaskMetricsListener implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly events: TaskEventsPublisher,
    private readonly metrics: AppMetrics,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.onPublished((event, { repeat }) => {
      if (!repeat) this.record(event);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  record(event: TaskEvent): void {
    if (event.type !== 'status' || !isFinished(event.status)) return;
    const data = event.data ?? {};
    const agent = typeof data.agent === 'string' && data.agent ? data.agent : 'none';
    this.metrics.tasks.inc({ agent, status: event.status });
    if (typeof data.duration_ms === 'number' && Number.isFinite(data.duration_ms)) {
      this.metrics.taskDuration.observe({ agent }, Math.max(0, data.duration_ms) / 1000);
    }
  }
}

function isFinished(status: TaskEvent['status']): status is TaskStatus {
  return (FINISHED_STATUSES as readonly (string | undefined)[]).includes(status);
}
