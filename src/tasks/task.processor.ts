import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SpanKind } from '@opentelemetry/api';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { queueConfig } from '../config';
import { isRetryable } from '../common/errors';
import { createQueueWorker } from '../redis/queue-worker';
import { RedisConnections } from '../redis/redis-connections';
import { extractTraceContext, inSpan, type Traced } from '../tracing/spans';
import { type ProcessTaskJob, TASK_QUEUE } from './task-queue';
import { TaskRunner } from './task-runner.service';
import { TaskLifecycle } from './task-lifecycle';
import { TasksRepository } from './tasks.repository';

/**
 * The BullMQ worker of the `agent_tasks` queue (worker side only). Its options come from
 * injected config: concurrency, and the lock/stalled settings that hand the job of a worker that
 * died to another one. On shutdown it stops taking jobs and waits for the active ones.
 */
@Injectable()
export class TaskProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TaskProcessor');
  private worker?: Worker<ProcessTaskJob>;

  constructor(
    private readonly runner: TaskRunner,
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly redis: RedisConnections,
    @Inject(queueConfig.KEY) private readonly config: ConfigType<typeof queueConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = createQueueWorker<ProcessTaskJob>(this.redis, {
      queue: TASK_QUEUE,
      connectionName: 'worker',
      settings: {
        concurrency: this.config.concurrency,
        lockDuration: this.config.lockDurationMs,
        stalledInterval: this.config.stalledIntervalMs,
        maxStalledCount: this.config.maxStalledCount,
      },
      process: (job) => this.process(job),
      onFailed: (job, err) => this.onFailed(job, err),
      logger: this.logger,
      errorMessage: 'Worker error',
    });
    this.logger.log(`Processing ${TASK_QUEUE} with concurrency ${this.config.concurrency}`);
  }

  /** Runs the attempt in a CONSUMER span, a child of the enqueueing request's span. */
  private process(job: Job<ProcessTaskJob>): Promise<void> {
    const taskId = job.data.task_id;
    const attempt = job.attemptsMade + 1;
    const attributes = {
      'messaging.system': 'bullmq',
      'messaging.destination.name': TASK_QUEUE,
      'messaging.message.id': job.id ?? taskId,
      'task.id': taskId,
      'task.attempt': attempt,
    };
    const parent = extractTraceContext((job.data as Traced<ProcessTaskJob>).trace);
    return inSpan(
      `${TASK_QUEUE} process`,
      { kind: SpanKind.CONSUMER, attributes },
      async (span) => {
        try {
          await this.runner.execute({
            taskId,
            attempt,
            maxAttempts: job.opts.attempts ?? 1,
            newSession: job.data.new_session === true,
          });
        } finally {
          if (span.isRecording()) {
            const task = await this.tasks.findOne(taskId).catch(() => null);
            if (task?.selected_agent) span.setAttribute('agent.name', task.selected_agent);
            if (task) span.setAttribute('task.status', task.status);
            if (task) span.setAttribute('llm.total_tokens', task.cost.total_tokens);
          }
        }
      },
      parent,
    );
  }

  /**
   * The runner records every failure it can see. What it cannot (a job that stalled too often) is
   * recorded here, once the job has no attempts left, with the same ending as any failure: the
   * final event, the webhook, the business log and the count in `tasks_total`.
   */
  private async onFailed(job: Job<ProcessTaskJob> | undefined, err: Error): Promise<void> {
    if (!job) return;
    const finalAttempt =
      job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
    if (!finalAttempt) return;
    // A transient cause through every attempt (a database that was away, say) is no fault of the
    // task: it stays queued or processing, and the reconciler gives it a new job later.
    if (isRetryable(err)) return;
    try {
      await this.lifecycle.fail(job.data.task_id, ['queued', 'processing'], {
        error: {
          code: 'INTERNAL_ERROR',
          message: 'The task could not be processed.',
          retryable: false,
          attempts: job.attemptsMade,
          stack: err.stack,
        },
      });
    } catch (saveErr) {
      this.logger.warn({
        task_id: job.data.task_id,
        err: saveErr,
        msg: 'Could not record a failed job; the reconciler will retry it',
      });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}
