import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';
import { isRetryable } from '../common/errors';
import { TASK_QUEUE } from '../queues/queue-names';
import { setAttributes } from '../tracing/spans';
import type { ProcessTaskJob } from './task-queue';
import { TaskLifecycle } from './task-lifecycle';
import { TaskRunner } from './task-runner.service';
import { TasksRepository } from './tasks.repository';

/**
 * The worker of the `agent_tasks` queue (worker side only: TasksWorkerModule provides it with
 * its options from config, see configuredProcessor). Concurrency and the lock/stalled settings
 * that hand the job of a worker that died to another one come from QUEUE_* config. On shutdown
 * it stops taking jobs and waits for the active ones, before the connections they need close.
 */
@Processor(TASK_QUEUE)
export class TaskProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TaskProcessor');

  constructor(
    private readonly runner: TaskRunner,
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.logger.log(`Processing ${TASK_QUEUE} with concurrency ${this.worker.concurrency}`);
  }

  /**
   * Runs one attempt. BullMQ's telemetry (queue-options.ts) runs it inside its CONSUMER span
   * (`process agent_tasks`), a child of the enqueue's PRODUCER span; the task's attributes go on
   * that span.
   */
  async process(job: Job<ProcessTaskJob>): Promise<void> {
    const taskId = job.data.task_id;
    const attempt = job.attemptsMade + 1;
    const span = trace.getActiveSpan();
    span?.setAttributes({ 'task.id': taskId, 'task.attempt': attempt });
    try {
      await this.runner.execute({
        taskId,
        attempt,
        maxAttempts: job.opts.attempts ?? 1,
        newSession: job.data.new_session === true,
      });
    } finally {
      if (span?.isRecording()) {
        const task = await this.tasks.findOne(taskId).catch(() => null);
        if (task) {
          setAttributes(span, {
            'agent.name': task.selected_agent ?? undefined,
            'task.status': task.status,
            'llm.total_tokens': task.cost.total_tokens,
          });
        }
      }
    }
  }

  /**
   * The runner records every failure it can see. What it cannot (a job that stalled too often) is
   * recorded here, once the job has no attempts left, with the same ending as any failure: the
   * final event, the webhook, the business log and the count in `tasks_total`.
   */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<ProcessTaskJob> | undefined, err: Error): Promise<void> {
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

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn({ err, msg: 'Worker error' });
  }

  /** Before MongoDB and Redis close: the active jobs need them to finish. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
