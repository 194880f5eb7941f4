import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AgentRegistry } from '../agents/agent-registry';
import { ValidationError } from '../common/errors';
import { codePointLength } from '../common/text/code-points';
import { tasksConfig } from '../config';
import { BusinessLog } from '../business-logs/business-log.service';
import { SessionsService } from '../sessions/sessions.service';
import { AgentRunsRepository } from './agent-runs.repository';
import type { CreateTaskDto } from './dto/create-task.dto';
import type { ListTasksQuery } from './dto/list-tasks.query';
import { IdempotencyService } from './idempotency.service';
import { EMPTY_COST, isFinished, type TaskRecord } from './task.record';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { TaskCancellationSignal } from './task-cancellation';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueueProducer } from './task-queue.producer';
import { TaskAlreadyFinishedError, TaskNotFoundError } from './tasks.errors';
import { TasksRepository } from './tasks.repository';
import { WebhookTargets } from './webhook-targets';
import {
  type ExecuteTaskResponse,
  type TaskDetailView,
  toDetailView,
  toExecuteResponse,
  toSummaryView,
  type TaskSummaryView,
} from './task.views';

/** Who submitted a task and from where, as recorded in `tasks.metadata`. */
export interface RequestOrigin {
  apiKeyId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** The API side of tasks: accept, list, read and cancel. It never runs agents. */
@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly runs: AgentRunsRepository,
    private readonly sessions: SessionsService,
    private readonly queue: TaskQueueProducer,
    private readonly events: TaskEventsPublisher,
    private readonly cancellation: TaskCancellationSignal,
    private readonly idempotency: IdempotencyService,
    private readonly registry: AgentRegistry,
    private readonly businessLog: BusinessLog,
    @Inject(tasksConfig.KEY) private readonly config: ConfigType<typeof tasksConfig>,
    private readonly webhookTargets: WebhookTargets,
  ) {}

  /**
   * Validates, ensures the session, stores the task as queued with the user's message, and adds
   * its job. If the job cannot be added the task is marked failed and QUEUE_UNAVAILABLE is thrown:
   * a queued task always has a job (or the reconciler gives it one).
   */
  async accept(
    dto: CreateTaskDto,
    origin: RequestOrigin,
    idempotencyKey?: string,
  ): Promise<{ body: ExecuteTaskResponse; replayed: boolean }> {
    await this.validate(dto);
    const claim = idempotencyKey
      ? await this.idempotency.claim(origin.apiKeyId, idempotencyKey, dto)
      : undefined;
    if (claim?.kind === 'replay') {
      const original = await this.tasks.findOne(claim.taskId);
      if (original) return { body: toExecuteResponse(original), replayed: true };
    }
    try {
      const task = await this.create(dto, origin);
      if (claim?.kind === 'new') await claim.commit(task.task_id);
      return { body: toExecuteResponse(task), replayed: false };
    } catch (err) {
      if (claim?.kind === 'new') await claim.release().catch(() => undefined);
      throw err;
    }
  }

  private async validate(dto: CreateTaskDto): Promise<void> {
    const details = [];
    if (dto.webhook_url !== undefined) {
      const problem = await this.webhookTargets.problem(dto.webhook_url);
      if (problem) details.push({ field: 'webhook_url', message: problem });
    }
    if (codePointLength(dto.task) > this.config.maxTaskChars) {
      details.push({
        field: 'task',
        message: `task must be at most ${this.config.maxTaskChars} characters`,
      });
    }
    if (dto.agent !== undefined && !this.registry.has(dto.agent)) {
      details.push({
        field: 'agent',
        message: `agent must be one of: ${this.registry
          .list()
          .map((a) => a.name)
          .join(', ')}`,
      });
    }
    if (details.length) throw new ValidationError(details);
  }

  private async create(dto: CreateTaskDto, origin: RequestOrigin): Promise<TaskRecord> {
    const now = new Date();
    const session = this.sessions.resolve(dto.session_id);
    const task: TaskRecord = {
      task_id: randomUUID(),
      session_id: session.id,
      input_text: dto.task,
      status: 'queued',
      requested_agent: dto.agent ?? null,
      selected_agent: null,
      agent_type: null,
      peer_routing_reason: null,
      routing_confidence: null,
      created_at: now,
      updated_at: now,
      queued_at: now,
      started_at: null,
      completed_at: null,
      cancel_requested_at: null,
      attempts: 0,
      requeues: 0,
      result: null,
      error: null,
      cost: { ...EMPTY_COST },
      webhook_url: dto.webhook_url ?? null,
      webhook_deliveries: [],
      metadata: {
        ip: origin.ip,
        user_agent: origin.userAgent,
        request_id: origin.requestId,
        api_key_id: origin.apiKeyId,
        ...(dto.metadata ? { client: dto.metadata } : {}),
      },
    };
    const context = {
      task_id: task.task_id,
      session_id: task.session_id,
      request_id: origin.requestId,
    };
    // Three collections, written at once (each write joins its collection's next batch).
    const [sessionSaved, taskSaved, messageSaved] = await Promise.allSettled([
      this.sessions.ensure(session, origin.apiKeyId, origin.ip, now),
      this.tasks.insert(task),
      this.sessions.addMessage({
        session_id: task.session_id,
        api_key_id: origin.apiKeyId,
        task_id: task.task_id,
        role: 'user',
        agent_name: null,
        content: task.input_text,
        created_at: now,
      }),
    ]);
    const refused = [sessionSaved, taskSaved, messageSaved].find(
      (saved) => saved.status === 'rejected',
    );
    if (refused) {
      // Refused, so never run: a task stored without its session or message is marked failed.
      if (taskSaved.status === 'fulfilled') {
        await this.fail(task, 'INTERNAL_ERROR', 'The task could not be stored.', context).catch(
          () => undefined,
        );
      }
      throw refused.reason;
    }

    // Published while the job is added, so it is in the stream before the worker's first event.
    const queuedEvent = this.events.publish({
      task_id: task.task_id,
      type: 'status',
      status: 'queued',
    });
    try {
      await this.queue.enqueue(task.task_id, { newSession: session.isNew });
    } catch (err) {
      await queuedEvent;
      await this.fail(
        task,
        'QUEUE_UNAVAILABLE',
        'The task queue was unavailable when the task was submitted.',
        context,
      );
      throw err;
    }
    await queuedEvent;
    void this.businessLog.record('INFO', 'task created', {
      ...context,
      agent_name: dto.agent ?? null,
    });
    return task;
  }

  /** Marks a task that was refused at submission failed (retryable: submitting again may work). */
  private async fail(
    task: TaskRecord,
    code: 'QUEUE_UNAVAILABLE' | 'INTERNAL_ERROR',
    message: string,
    context: { request_id: string | null },
  ): Promise<void> {
    await this.lifecycle.fail(
      task.task_id,
      ['queued'],
      { error: { code, message, retryable: true, attempts: 0 } },
      context,
    );
  }

  async list(
    query: ListTasksQuery,
    owner: string | null,
  ): Promise<{ items: TaskSummaryView[]; total: number }> {
    if (query.agent_type !== undefined && !this.registry.types().includes(query.agent_type)) {
      throw new ValidationError([
        {
          field: 'agent_type',
          message: `agent_type must be one of: ${this.registry.types().join(', ')}`,
        },
      ]);
    }
    const { items, total } = await this.tasks.list(
      { owner, status: query.status, agentType: query.agent_type },
      query.page,
      query.page_size,
    );
    return { items: items.map(toSummaryView), total };
  }

  async get(taskId: string, owner: string | null): Promise<TaskDetailView> {
    const task = await this.tasks.findOne(taskId, owner);
    if (!task) throw new TaskNotFoundError(taskId);
    return toDetailView(task, await this.runs.forTask(taskId));
  }

  /**
   * A queued task is cancelled at once and its job removed. A processing one is flagged and its
   * worker told to abort; the worker marks it cancelled. Answers whether it was cancelled at once.
   */
  async cancel(
    taskId: string,
    owner: string | null,
    requestId: string | null,
  ): Promise<{ view: TaskDetailView; immediate: boolean }> {
    const task = await this.tasks.findOne(taskId, owner);
    if (!task) throw new TaskNotFoundError(taskId);
    const now = new Date();
    const context = { request_id: requestId };

    const cancelled = await this.lifecycle.cancel(taskId, ['queued'], {
      requestedAt: now,
      ...context,
    });
    if (cancelled) {
      await this.queue.removeIdle(taskId).catch(() => false);
      return { view: toDetailView(cancelled, await this.runs.forTask(taskId)), immediate: true };
    }

    const flagged = await this.lifecycle.requestCancel(taskId, now);
    if (flagged) {
      // Between retries no worker holds the job: remove it and finish the cancel here.
      if (await this.queue.removeIdle(taskId).catch(() => false)) {
        const done = await this.lifecycle.cancel(taskId, ['processing'], context);
        if (done) {
          return { view: toDetailView(done, await this.runs.forTask(taskId)), immediate: true };
        }
      }
      await this.cancellation.request(taskId);
      await this.businessLog.record('INFO', 'task cancellation requested', {
        task_id: taskId,
        session_id: task.session_id,
        ...context,
      });
      return { view: toDetailView(flagged, await this.runs.forTask(taskId)), immediate: false };
    }

    const current = await this.tasks.findOne(taskId, owner);
    if (current && isFinished(current.status))
      throw new TaskAlreadyFinishedError(taskId, current.status);
    throw new TaskNotFoundError(taskId);
  }
}
