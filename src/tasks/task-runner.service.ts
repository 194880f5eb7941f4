import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { PeerAgentFailure } from '../agents/peer-agent-failure';
import { PeerAgentService } from '../agents/peer-agent.service';
import type { PeerAgentEvent, PeerAgentResult, TaskUsage } from '../agents/peer-agent.types';
import { BusinessLog } from '../business-logs/business-log.service';
import { AppError } from '../common/errors';
import { SessionsService } from '../sessions/sessions.service';
import { AgentRunsRepository } from './agent-runs.repository';
import { TaskCancellationListener } from './task-cancellation';
import { addCost } from './task-cost';
import { FINISHED_STATUSES, type TaskRecord } from './task.record';
import { finalStatusEvent } from './task-event';
import { TaskEventsPublisher } from './task-events.publisher';
import { TasksRepository } from './tasks.repository';

export interface TaskAttempt {
  taskId: string;
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
  /** The task started its session, so it has no history to read. */
  newSession?: boolean;
}

const NO_USAGE: TaskUsage = {
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  usd_estimate: 0,
};

/**
 * Runs one attempt of a task on a worker: claims it (queued/processing → processing), runs the
 * Peer Agent, and records the outcome with conditional updates, so a duplicated or retried job
 * can never change a finished task. Transient failures are rethrown for BullMQ to retry;
 * permanent ones become UnrecoverableError after the task is marked failed.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger('TaskRunner');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly runs: AgentRunsRepository,
    private readonly sessions: SessionsService,
    private readonly peerAgent: PeerAgentService,
    private readonly events: TaskEventsPublisher,
    private readonly cancellation: TaskCancellationListener,
    private readonly businessLog: BusinessLog,
  ) {}

  async execute({ taskId, attempt, maxAttempts, newSession }: TaskAttempt): Promise<void> {
    const now = new Date();
    // Processing is accepted too: a job whose worker died comes back while the task says processing.
    const task = await this.tasks.transition(taskId, ['queued', 'processing'], {
      $set: { status: 'processing', started_at: now, updated_at: now, attempts: attempt },
    });
    if (!task) {
      this.logger.log({
        task_id: taskId,
        attempt,
        msg: 'Task already finished or cancelled; nothing to do',
      });
      await this.replayOutcome(taskId);
      return;
    }
    if (task.cancel_requested_at) {
      await this.finishCancelled(task);
      return;
    }
    // Not awaited: the publisher keeps a task's events in order, and a lost event fails nothing.
    void this.events.publish({
      task_id: taskId,
      type: 'status',
      status: 'processing',
      data: { attempt },
    });

    const controller = new AbortController();
    const untrack = this.cancellation.track(taskId, controller);
    try {
      const history = newSession
        ? []
        : await this.sessions.history(
            task.session_id,
            task.metadata.api_key_id,
            taskId,
            task.created_at,
          );
      const result = await this.peerAgent.run({
        taskId,
        sessionId: task.session_id,
        task: task.input_text,
        history,
        agentHint: task.requested_agent ?? undefined,
        signal: controller.signal,
        emit: (event) => this.forward(task, event),
      });
      await this.finishCompleted(task, result);
    } catch (err) {
      if (controller.signal.aborted || (err instanceof AppError && err.code === 'CANCELLED')) {
        await this.finishCancelled(task, err instanceof PeerAgentFailure ? err : undefined);
        return;
      }
      await this.finishFailed(task, err, attempt, maxAttempts);
    } finally {
      untrack();
    }
  }

  private forward(task: TaskRecord, event: PeerAgentEvent): void {
    const task_id = task.task_id;
    switch (event.type) {
      case 'delta':
        void this.events.publish({ task_id, type: 'delta', data: { text: event.text } });
        return;
      case 'routing':
        void this.events.publish({ task_id, type: 'routing', data: { ...event.routing } });
        void this.businessLog.record('INFO', 'task routed', {
          task_id,
          session_id: task.session_id,
          agent_name: event.routing.agent_name,
          confidence: event.routing.confidence,
          hinted: event.routing.hinted,
        });
        return;
      case 'agent_started':
      case 'agent_finished': {
        const { type, ...data } = event;
        void this.events.publish({ task_id, type, data });
        return;
      }
      case 'usage':
        void this.events.publish({ task_id, type: 'usage', data: { ...event.usage } });
        return;
      case 'progress':
        this.logger.debug({ task_id, msg: event.message, data: event.data });
        return;
    }
  }

  private async finishCompleted(task: TaskRecord, result: PeerAgentResult): Promise<void> {
    const now = new Date();
    const { output, routing } = result;
    // The runs and the answer are stored before the task says completed, so a completed task
    // always has them; the two writes go to different collections at once.
    await Promise.all([
      this.runs.saveAll(result.runs),
      this.sessions.saveMessage({
        session_id: task.session_id,
        api_key_id: task.metadata.api_key_id,
        task_id: task.task_id,
        role: 'assistant',
        agent_name: routing.agent_name,
        content: output.raw_output,
        created_at: now,
      }),
    ]);
    const done = await this.tasks.transition(task.task_id, ['processing'], {
      $set: {
        status: 'completed',
        completed_at: now,
        updated_at: now,
        latency_ms: Math.max(0, now.getTime() - new Date(task.created_at).getTime()),
        selected_agent: routing.agent_name,
        agent_type: routing.agent_type,
        peer_routing_reason: routing.reasoning,
        routing_confidence: routing.confidence,
        result: {
          summary: output.summary,
          raw_output: output.raw_output,
          code_language: output.code_language ?? null,
          citations: output.citations,
        },
        cost: addCost(task.cost, result.usage),
        error: null,
      },
    });
    if (!done) return; // cancelled meanwhile, or another run of the same job finished first
    await Promise.all([
      this.sessions.recordTask(task.session_id, task.metadata.api_key_id, task.task_id, now),
      this.events.publish(finalStatusEvent(done, { summary: output.summary })),
      this.businessLog.recordOnce('INFO', 'task completed', {
        task_id: task.task_id,
        session_id: task.session_id,
        agent_name: routing.agent_name,
        total_tokens: result.usage.total_tokens,
      }),
    ]);
  }

  /**
   * The job of a finished task ran again: its worker died after finishing the task but before
   * the job was done, maybe before the outcome's event (and so its webhook) went out or its
   * business log was written. Publishes and writes them again; each happens once per task.
   */
  private async replayOutcome(taskId: string): Promise<void> {
    const task = await this.tasks.findOne(taskId);
    if (!task || !FINISHED_STATUSES.includes(task.status)) return;
    const context = { task_id: taskId, session_id: task.session_id };
    if (task.status === 'completed') {
      await Promise.all([
        this.events.publish(finalStatusEvent(task, { summary: task.result?.summary ?? null })),
        this.businessLog.recordOnce('INFO', 'task completed', {
          ...context,
          agent_name: task.selected_agent,
          total_tokens: task.cost.total_tokens,
        }),
      ]);
    } else if (task.status === 'failed' && task.error) {
      const { code, message, retryable, attempts } = task.error;
      await Promise.all([
        this.events.publish(
          finalStatusEvent(task, { error: { code, message, retryable, attempts } }),
        ),
        this.businessLog.recordOnce('ERROR', 'task failed', {
          ...context,
          agent_name: task.selected_agent,
          attempt: attempts,
          error_code: code,
          error_message: message,
        }),
      ]);
    } else {
      await this.events.publish(finalStatusEvent(task));
    }
  }

  private async finishCancelled(task: TaskRecord, failure?: PeerAgentFailure): Promise<void> {
    const now = new Date();
    if (failure) await this.runs.saveAll(failure.runs);
    const done = await this.tasks.transition(task.task_id, ['processing'], {
      $set: {
        status: 'cancelled',
        completed_at: now,
        updated_at: now,
        cost: addCost(task.cost, failure?.usage ?? NO_USAGE),
      },
    });
    if (!done) return;
    await this.events.publish(finalStatusEvent(done));
    await this.businessLog.record('INFO', 'task cancelled', {
      task_id: task.task_id,
      session_id: task.session_id,
    });
  }

  private async finishFailed(
    task: TaskRecord,
    err: unknown,
    attempt: number,
    maxAttempts: number,
  ): Promise<void> {
    const failure = err instanceof PeerAgentFailure ? err : undefined;
    const appError = err instanceof AppError ? err : undefined;
    // Anything not raised on purpose (a database hiccup while saving, say) is worth another attempt.
    const retryable = appError ? appError.retryable : true;
    const code = appError?.code ?? 'INTERNAL_ERROR';
    const message = appError?.message ?? 'The task failed unexpectedly.';
    const now = new Date();
    if (failure) await this.runs.saveAll(failure.runs);
    const cost = addCost(task.cost, failure?.usage ?? NO_USAGE);
    const context = {
      task_id: task.task_id,
      session_id: task.session_id,
      agent_name: failure?.routing?.agent_name ?? null,
    };
    const routing = failure?.routing
      ? {
          selected_agent: failure.routing.agent_name,
          agent_type: failure.routing.agent_type,
          peer_routing_reason: failure.routing.reasoning,
          routing_confidence: failure.routing.confidence,
        }
      : {};
    const error = { code, message, retryable, attempts: attempt, stack: stackOf(err) };

    if (retryable && attempt < maxAttempts) {
      await this.tasks.transition(task.task_id, ['processing'], {
        $set: { error, cost, updated_at: now, ...routing },
      });
      await this.events.publish({
        task_id: task.task_id,
        type: 'status',
        status: 'retrying',
        data: { attempt, max_attempts: maxAttempts, error_code: code },
      });
      await this.businessLog.record('WARN', 'task retried', {
        ...context,
        attempt,
        error_code: code,
      });
      throw err; // BullMQ retries with backoff
    }

    const failed = await this.tasks.transition(task.task_id, ['processing'], {
      $set: { status: 'failed', completed_at: now, updated_at: now, error, cost, ...routing },
    });
    if (failed) {
      await this.events.publish(
        finalStatusEvent(failed, { error: { code, message, retryable, attempts: attempt } }),
      );
      await this.businessLog.recordOnce('ERROR', 'task failed', {
        ...context,
        attempt,
        error_code: code,
        error_message: message,
      });
    }
    throw new UnrecoverableError(`${code}: ${message}`);
  }
}

function stackOf(err: unknown): string | undefined {
  const root = err instanceof AppError && err.cause instanceof Error ? err.cause : err;
  return root instanceof Error ? root.stack : undefined;
}
