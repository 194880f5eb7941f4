import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import type { TaskRecord, TaskStatus, WebhookDelivery } from './task.record';
import { TASK_MODEL } from './task.schema';

/** Whose tasks a query may see: a key id, or `null` when auth is disabled (everything). */
export type OwnerScope = string | null;

export interface TaskListFilter {
  owner: OwnerScope;
  status?: TaskStatus;
  agentType?: string;
}

const NO_ID = { _id: 0 } as const;

/** Owns the `tasks` collection. Status changes are single conditional updates. */
@Injectable()
export class TasksRepository {
  constructor(@InjectModel(TASK_MODEL) private readonly tasks: Model<TaskRecord>) {}

  async insert(task: TaskRecord): Promise<void> {
    await this.tasks.create(task);
  }

  findOne(taskId: string, owner?: OwnerScope): Promise<TaskRecord | null> {
    return this.tasks
      .findOne({ task_id: taskId, ...ownerFilter(owner) }, NO_ID)
      .lean<TaskRecord>()
      .exec();
  }

  async list(
    filter: TaskListFilter,
    page: number,
    pageSize: number,
  ): Promise<{ items: TaskRecord[]; total: number }> {
    const query: QueryFilter<TaskRecord> = { ...ownerFilter(filter.owner) };
    if (filter.status) query.status = filter.status;
    if (filter.agentType) query.agent_type = filter.agentType;
    const [items, total] = await Promise.all([
      this.tasks
        .find(query, NO_ID)
        .sort({ created_at: -1 })
        .skip((page - 1) * pageSize)
        .limit(pageSize)
        .lean<TaskRecord[]>()
        .exec(),
      this.tasks.countDocuments(query).exec(),
    ]);
    return { items, total };
  }

  /**
   * Moves a task from one of `from` to whatever `update` sets, atomically. Returns the updated
   * task, or null when the task was not in one of those states (someone else moved it first).
   */
  async transition(
    taskId: string,
    from: readonly TaskStatus[],
    update: UpdateQuery<TaskRecord>,
  ): Promise<TaskRecord | null> {
    // No projection here: FerretDB does not implement findAndModify's `fields`.
    const updated = await this.tasks
      .findOneAndUpdate({ task_id: taskId, status: { $in: from } }, update, {
        returnDocument: 'after',
      })
      .lean<TaskRecord & { _id?: unknown }>()
      .exec();
    return updated && withoutId(updated);
  }

  /** Appends a webhook delivery attempt (at most WEBHOOK_MAX_ATTEMPTS per task). */
  async recordWebhookDelivery(taskId: string, delivery: WebhookDelivery): Promise<void> {
    await this.tasks
      .updateOne({ task_id: taskId }, { $push: { webhook_deliveries: delivery } })
      .exec();
  }

  /** Tasks in `status` not touched since `before`, oldest first: the reconciler's candidates. */
  findStale(status: TaskStatus, before: Date, limit: number): Promise<TaskRecord[]> {
    return this.tasks
      .find({ status, updated_at: { $lt: before } }, NO_ID)
      .sort({ updated_at: 1 })
      .limit(limit)
      .lean<TaskRecord[]>()
      .exec();
  }
}

function ownerFilter(owner: OwnerScope | undefined): QueryFilter<TaskRecord> {
  return typeof owner === 'string' ? { 'metadata.api_key_id': owner } : {};
}

function withoutId<T extends { _id?: unknown }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}
