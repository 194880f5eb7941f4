import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { BusinessLog } from '../business-logs/business-log.service';
import { queueConfig } from '../config';
import { AppMetrics } from '../metrics/app-metrics';
import { LeaderInterval } from '../redis/leader-interval';
import { RedisConnections } from '../redis/redis-connections';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueueProducer } from './task-queue.producer';
import type { TaskRecord } from './task.record';
import { TasksRepository } from './tasks.repository';

const BATCH = 100;
/** A task that keeps losing its job (its worker dying every time) is failed after this many requeues. */
const MAX_REQUEUES = 5;
const LOST_JOB_STATES = new Set(['missing', 'completed', 'failed']);

/**
 * Gives every accepted task a job. Tasks left queued without a job (Redis lost it) are re-added;
 * tasks left processing whose job is gone are put back to queued and re-added. `jobId = task_id`
 * makes that idempotent. One worker at a time does it, under a Redis lock.
 */
@Injectable()
export class TaskReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reconciler');
  private readonly leader: LeaderInterval;

  constructor(
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly queue: TaskQueueProducer,
    redis: RedisConnections,
    private readonly businessLog: BusinessLog,
    @Inject(queueConfig.KEY) private readonly config: ConfigType<typeof queueConfig>,
    private readonly metrics: AppMetrics,
  ) {
    this.leader = new LeaderInterval(redis, {
      lockKey: 'reconciler:lock',
      intervalMs: config.reconcileIntervalMs,
      holdMs: config.reconcileIntervalMs,
      run: () => this.reconcile(),
      onError: (err) => this.logger.warn({ err, msg: 'Reconciliation failed; will try again' }),
    });
  }

  onApplicationBootstrap(): void {
    this.leader.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.leader.stop();
  }

  /** One pass; public for tests and operators. Returns the ids it re-enqueued. */
  async reconcile(): Promise<string[]> {
    const now = Date.now();
    const requeued: string[] = [];
    const queued = await this.tasks.findStale(
      'queued',
      new Date(now - this.config.reconcileQueuedAfterMs),
      BATCH,
    );
    for (const task of queued) {
      if (LOST_JOB_STATES.has(await this.queue.state(task.task_id))) {
        await this.queue.requeue(task.task_id);
        requeued.push(task.task_id);
        await this.logAction(task, 'task re-enqueued: its job was lost');
      }
    }
    const processing = await this.tasks.findStale(
      'processing',
      new Date(now - 2 * this.config.lockDurationMs),
      BATCH,
    );
    for (const task of processing) {
      if (!LOST_JOB_STATES.has(await this.queue.state(task.task_id))) continue;
      if (task.requeues >= MAX_REQUEUES) {
        await this.failLost(task);
        continue;
      }
      if (!(await this.lifecycle.requeue(task))) continue;
      await this.queue.requeue(task.task_id);
      requeued.push(task.task_id);
    }
    if (requeued.length > 0) this.metrics.reconcilerRequeued.inc(requeued.length);
    return requeued;
  }

  private async failLost(task: TaskRecord): Promise<void> {
    await this.lifecycle.fail(task.task_id, ['processing'], {
      error: {
        code: 'INTERNAL_ERROR',
        message: `The task lost its worker ${MAX_REQUEUES} times.`,
        retryable: false,
        attempts: task.attempts,
      },
    });
  }

  private logAction(task: TaskRecord, message: string): Promise<void> {
    return this.businessLog.record('WARN', message, {
      task_id: task.task_id,
      session_id: task.session_id,
    });
  }
}
