import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type TaskFinished, TaskFinishedSignal } from '../events/task-finished.signal';
import { AppMetrics } from './app-metrics';

/**
 * Counts tasks reaching a final state (`agent_orchestrator_tasks_total`,
 * `agent_orchestrator_task_duration_seconds`) from the `task.finished` signal, so each task is counted by the process that finished it.
 */
@Injectable()
export class TaskMetricsListener implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly finished: TaskFinishedSignal,
    private readonly metrics: AppMetrics,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.finished.on((finished) => this.record(finished));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  record(finished: TaskFinished): void {
    const agent = finished.agent || 'none';
    this.metrics.tasks.inc({ agent, status: finished.status });
    if (Number.isFinite(finished.duration_ms)) {
      this.metrics.taskDuration.observe({ agent }, Math.max(0, finished.duration_ms) / 1000);
    }
  }
}
