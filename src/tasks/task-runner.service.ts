import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { PeerAgentFailure } from '../agents/peer-agent-failure';
import { PeerAgentService } from '../agents/peer-agent.service';
import type { PeerAgentEvent, PeerAgentResult, TaskUsage } from '../agents/peer-agent.types';
import { BusinessLog } from '../business-logs/business-log.service';
import { AppError, isRetryable } from '../common/errors';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { SessionsService } from '../sessions/sessions.service';
import { AgentRunsRepository } from './agent-runs.repository';
import { TaskCancellationListener } from './task-cancellation';
import { addCost } from './task-cost';
import { TaskLifecycle } from './task-lifecycle';
import type { TaskRecord } from './task.record';

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
 * Runs one attempt of a task on a worker: claims it, runs the Peer Agent, and hands the outcome
 * to TaskLifecycle, whose conditional updates keep a duplicated or retried job from changing a
 * finished task. Transient failures are rethrown for BullMQ to retry; permanent ones become
 * UnrecoverableError after the task is marked failed.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger('TaskRunner');

  constructor(
    private readonly lifecycle: TaskLifecycle,
    private readonly runs: AgentRunsRepository,
    private readonly sessions: SessionsService,
    private readonly peerAgent: PeerAgentService,
    private readonly events: TaskEventsPublisher,
    private readonly cancellation: TaskCancellationListener,
    private readonly businessLog: BusinessLog,
  ) {}

  async execute({ taskId, attempt, maxAttempts, newSession }: TaskAttempt): Promise<void> {
    const task = await this.lifecycle.claim(taskId, attempt);
    if (!task) {
      this.logger.log({
        task_id: taskId,
        attempt,
        msg: 'Task already finished or cancelled; nothing to do',
      });
      await this.lifecycle.settle(taskId);
      return;
    }
    if (task.cancel_requested_at) {
      await this.lifecycle.cancel(taskId, ['processing']);
      return;
    }

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
    await this.lifecycle.complete(task, {
      routing: {
        selected_agent: routing.agent_name,
        agent_type: routing.agent_type,
        peer_routing_reason: routing.reasoning,
        routing_confidence: routing.confidence,
      },
      result: {
        summary: output.summary,
        raw_output: output.raw_output,
        code_language: output.code_language ?? null,
        citations: output.citations,
      },
      cost: addCost(task.cost, result.usage),
    });
  }

  private async finishCancelled(task: TaskRecord, failure?: PeerAgentFailure): Promise<void> {
    if (failure) await this.runs.saveAll(failure.runs);
    await this.lifecycle.cancel(task.task_id, ['processing'], {
      cost: addCost(task.cost, failure?.usage ?? NO_USAGE),
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
    // A database hiccup while saving is worth another attempt; a bug in our own code is not.
    const retryable = isRetryable(err);
    const code = appError?.code ?? 'INTERNAL_ERROR';
    const message = appError?.message ?? 'The task failed unexpectedly.';
    if (failure) await this.runs.saveAll(failure.runs);
    const cost = addCost(task.cost, failure?.usage ?? NO_USAGE);
    const routing = failure?.routing
      ? {
          selected_agent: failure.routing.agent_name,
          agent_type: failure.routing.agent_type,
          peer_routing_reason: failure.routing.reasoning,
          routing_confidence: failure.routing.confidence,
        }
      : undefined;
    const error = { code, message, retryable, attempts: attempt, stack: stackOf(err) };

    if (retryable && attempt < maxAttempts) {
      await this.lifecycle.retrying(task, { error, cost, routing, attempt, maxAttempts });
      throw err; // BullMQ retries with backoff
    }
    await this.lifecycle.fail(task.task_id, ['processing'], { error, cost, routing });
    throw new UnrecoverableError(`${code}: ${message}`);
  }
}

function stackOf(err: unknown): string | undefined {
  const root = err instanceof AppError && err.cause instanceof Error ? err.cause : err;
  return root instanceof Error ? root.stack : undefined;
}
