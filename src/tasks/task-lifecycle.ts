import { Injectable } from '@nestjs/common';
import { BusinessLog } from '../business-logs/business-log.service';
import type { BusinessLogContext, BusinessLogLevel } from '../business-logs/business-log.record';
import { durationMs, finalStatusEvent } from '../events/task-event';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { TaskFinishedSignal } from '../events/task-finished.signal';
import { SessionsService } from '../sessions/sessions.service';
import {
  isFinished,
  type FinishedStatus,
  type TaskCost,
  type TaskError,
  type TaskOutcome,
  type TaskRecord,
  type TaskStatus,
} from './task.record';
import { TasksRepository } from './tasks.repository';

/** The routing fields a task keeps, once it was routed. */
export type RoutingOutcome = Pick<
  TaskOutcome,
  'selected_agent' | 'agent_type' | 'peer_routing_reason' | 'routing_confidence'
>;

export interface Completion {
  result: NonNullable<TaskRecord['result']>;
  routing: Required<RoutingOutcome>;
  cost: TaskCost;
}

export interface Failure {
  error: TaskError;
  cost?: TaskCost;
  routing?: RoutingOutcome;
}

export interface Retry extends Failure {
  attempt: number;
  maxAttempts: number;
}

/** Who asked for a change, for the business log (the API passes its request id). */
export interface ChangeContext {
  request_id?: string | null;
}

/**
 * The one owner of a task's life: the only code that changes a task's status
 * (queued → processing → completed | failed | cancelled, and processing → queued).
 *
 * Each change is one conditional update (TasksRepository), so a duplicated or late job cannot
 * move a task that moved already. Each terminal method (`complete`, `fail`, `cancel`) then
 * announces the ending, with every side effect of a task ending, in this order:
 *   1. the in-process `task.finished` signal (metrics count it, webhooks schedule delivery) and
 *      the outcome's business log (`task completed`, `task failed`, `task cancelled`), at once;
 *   2. the final status event, last: its presence means the ending was announced in full.
 * A job that runs again on a finished task (its worker died after the update) calls `settle`,
 * which announces the ending only if its final event is not stored yet. The final event and the
 * business log are stored once per task however often that happens, and the webhook job has a
 * per-task id; the signal is emitted once by the process that announces.
 */
@Injectable()
export class TaskLifecycle {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly events: TaskEventsPublisher,
    private readonly finished: TaskFinishedSignal,
    private readonly businessLog: BusinessLog,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * Claims the task for attempt `attempt` (queued, or processing for a job whose worker died).
   * Null when it is finished or cancelled: nothing to run.
   */
  async claim(taskId: string, attempt: number): Promise<TaskRecord | null> {
    const task = await this.tasks.claim(taskId, attempt, new Date());
    // Not awaited: the publisher keeps a task's events in order, and a lost event fails nothing.
    if (task && !task.cancel_requested_at) {
      void this.events.publish({
        task_id: taskId,
        type: 'status',
        status: 'processing',
        data: { attempt },
      });
    }
    return task;
  }

  /** Ends a processing task as completed with its result. False if it ended meanwhile. */
  async complete(task: TaskRecord, completion: Completion): Promise<boolean> {
    const now = new Date();
    const done = await this.tasks.finish(task.task_id, ['processing'], 'completed', now, {
      ...completion.routing,
      latency_ms: Math.max(0, now.getTime() - new Date(task.created_at).getTime()),
      result: completion.result,
      cost: completion.cost,
      error: null,
    });
    if (!done) return false; // cancelled meanwhile, or another run of the same job finished first
    await this.announce(done, {}, () =>
      this.sessions.recordTask(done.session_id, done.metadata.api_key_id, done.task_id, now),
    );
    return true;
  }

  /**
   * Records a failed attempt that BullMQ will retry: the task stays processing with the error so
   * far, and its stream says `retrying`.
   */
  async retrying(task: TaskRecord, retry: Retry): Promise<void> {
    await this.tasks.recordRetry(task.task_id, new Date(), {
      error: retry.error,
      ...(retry.cost ? { cost: retry.cost } : {}),
      ...retry.routing,
    });
    await this.events.publish({
      task_id: task.task_id,
      type: 'status',
      status: 'retrying',
      data: {
        attempt: retry.attempt,
        max_attempts: retry.maxAttempts,
        error_code: retry.error.code,
      },
    });
    await this.businessLog.record('WARN', 'task retried', {
      task_id: task.task_id,
      session_id: task.session_id,
      agent_name: retry.routing?.selected_agent ?? null,
      attempt: retry.attempt,
      error_code: retry.error.code,
    });
  }

  /** Ends a task that is in one of `from` as failed. Null if it was not (it ended already). */
  async fail(
    taskId: string,
    from: readonly TaskStatus[],
    failure: Failure,
    context: ChangeContext = {},
  ): Promise<TaskRecord | null> {
    const failed = await this.tasks.finish(taskId, from, 'failed', new Date(), {
      error: failure.error,
      ...(failure.cost ? { cost: failure.cost } : {}),
      ...failure.routing,
    });
    if (failed) await this.announce(failed, context);
    return failed;
  }

  /**
   * Ends a task that is in one of `from` as cancelled; `cost` adds what its last attempt spent.
   * Null if it was not in one of those states.
   */
  async cancel(
    taskId: string,
    from: readonly TaskStatus[],
    options: { cost?: TaskCost; requestedAt?: Date } & ChangeContext = {},
  ): Promise<TaskRecord | null> {
    const { cost, requestedAt, ...context } = options;
    const cancelled = await this.tasks.finish(taskId, from, 'cancelled', new Date(), {
      ...(cost ? { cost } : {}),
      ...(requestedAt ? { cancel_requested_at: requestedAt } : {}),
    });
    if (cancelled) await this.announce(cancelled, context);
    return cancelled;
  }

  /**
   * Flags a processing task for cancellation by the worker holding it. Not a status change: the
   * worker ends it with `cancel` once its call is aborted.
   */
  requestCancel(taskId: string, at: Date): Promise<TaskRecord | null> {
    return this.tasks.requestCancel(taskId, at);
  }

  /** Puts a processing task whose job was lost back to queued. False if it moved meanwhile. */
  async requeue(task: TaskRecord): Promise<boolean> {
    const back = await this.tasks.requeue(task.task_id, new Date());
    if (!back) return false;
    await this.businessLog.record(
      'WARN',
      'task re-enqueued: it was processing but its job was gone',
      {
        task_id: task.task_id,
        session_id: task.session_id,
      },
    );
    return true;
  }

  /**
   * The job of a finished task ran again: its worker may have died after the final update but
   * before the ending was announced in full. Announces it then, unless its final event (the last
   * step) is already stored.
   */
  async settle(taskId: string): Promise<void> {
    if (await this.events.finalPublished(taskId)) return;
    const task = await this.tasks.findOne(taskId);
    if (task && isFinished(task.status)) await this.announce(task);
  }

  private async announce(
    task: TaskRecord,
    context: ChangeContext = {},
    alongside?: () => Promise<void>,
  ): Promise<void> {
    const status = task.status as FinishedStatus;
    const ending = endingOf(task, status);
    await Promise.all([
      this.finished.emit({
        task_id: task.task_id,
        session_id: task.session_id,
        status,
        agent: task.selected_agent,
        agent_type: task.agent_type,
        duration_ms: durationMs(task),
        webhook_url: task.webhook_url,
      }),
      this.businessLog.recordOnce(ending.level, ending.message, {
        task_id: task.task_id,
        session_id: task.session_id,
        ...ending.context,
        ...(context.request_id !== undefined ? { request_id: context.request_id } : {}),
      }),
      alongside?.(),
    ]);
    await this.events.publish(finalStatusEvent({ ...task, status }, ending.eventData));
  }
}

interface Ending {
  level: BusinessLogLevel;
  message: string;
  context: Omit<BusinessLogContext, 'task_id' | 'session_id'>;
  eventData: Record<string, unknown>;
}

/** What a task's ending tells the business log and its final event, from the stored task. */
function endingOf(task: TaskRecord, status: FinishedStatus): Ending {
  switch (status) {
    case 'completed':
      return {
        level: 'INFO',
        message: 'task completed',
        context: { agent_name: task.selected_agent, total_tokens: task.cost.total_tokens },
        eventData: { summary: task.result?.summary ?? null },
      };
    case 'failed': {
      const { code, message, retryable, attempts } = task.error ?? {
        code: 'INTERNAL_ERROR',
        message: 'The task failed.',
        retryable: false,
        attempts: task.attempts,
      };
      return {
        level: 'ERROR',
        message: 'task failed',
        context: {
          agent_name: task.selected_agent,
          attempt: attempts,
          error_code: code,
          error_message: message,
        },
        eventData: { error: { code, message, retryable, attempts } },
      };
    }
    case 'cancelled':
      return { level: 'INFO', message: 'task cancelled', context: {}, eventData: {} };
  }
}
