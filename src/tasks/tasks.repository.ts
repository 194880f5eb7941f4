import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { BulkWriter } from '../database/bulk-writer';
import type {
  FinishedStatus,
  TaskOutcome,
  TaskRecord,
  TaskStatus,
  WebhookDelivery,
} from './task.record';
import { TASK_MODEL } from './task.schema';

export type TaskStatusView = Pick<TaskRecord, 'status' | 'completed_at' | 'updated_at'>;

/** Whose tasks a query may see: a key id, or `null` when auth is disabled (everything). */
export type OwnerScope = string | null;

export interface TaskListFilter {
  owner: OwnerScope;
  status?: TaskStatus;
  agentType?: string;
}

const NO_ID = { _id: 0 } as const;

/**
 * Owns the `tasks` collection. Status changes are single conditional updates, one intent-named
 * method each, called only by TaskLifecycle; new tasks are group-committed (see BulkWriter).
 */
@Injectable()
export class TasksRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<TaskRecord>;

  constructor(@InjectModel(TASK_MODEL) private readonly tasks: Model<TaskRecord>) {
    this.writer = BulkWriter.forModel(tasks);
  }

  async insert(task: TaskRecord): Promise<void> {
    await this.writer.write({ insertOne: { document: { ...task } } });
  }

  onModuleDestroy(): Promise<void> {
    return this.writer.drained();
  }

  /** Just the task's status and when it last changed: a small read for frequent checks. */
  findStatus(taskId: string): Promise<TaskStatusView | null> {
    return this.tasks
      .findOne({ task_id: taskId }, { _id: 0, status: 1, completed_at: 1, updated_at: 1 })
      .lean<TaskStatusView>()
      .exec();
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

  /** Claims a task for an attempt: queued (or processing, a job whose worker died) → processing. */
  claim(taskId: string, attempt: number, at: Date): Promise<TaskRecord | null> {
    return this.transition(taskId, ['queued', 'processing'], {
      $set: { status: 'processing', started_at: at, updated_at: at, attempts: attempt },
    });
  }

  /**
   * Ends a task that is in one of `from`: its final status, when, and what it ends with.
   * Returns the ended task, or null when it was not in one of those states (it ended already).
   */
  finish(
    taskId: string,
    from: readonly TaskStatus[],
    status: FinishedStatus,
    at: Date,
    outcome: TaskOutcome,
  ): Promise<TaskRecord | null> {
    return this.transition(taskId, from, {
      $set: { ...outcome, status, completed_at: at, updated_at: at },
    });
  }

  /** Records a failed attempt on a processing task that will be retried; its status stays. */
  recordRetry(taskId: string, at: Date, outcome: TaskOutcome): Promise<TaskRecord | null> {
    return this.transition(taskId, ['processing'], { $set: { ...outcome, updated_at: at } });
  }

  /** Puts a processing task whose job was lost back to queued, counting the requeue. */
  requeue(taskId: string, at: Date): Promise<TaskRecord | null> {
    return this.transition(taskId, ['processing'], {
      $set: { status: 'queued', updated_at: at },
      $inc: { requeues: 1 },
    });
  }

  /** Flags a processing task to be cancelled by the worker that holds it. */
  requestCancel(taskId: string, at: Date): Promise<TaskRecord | null> {
    return this.transition(taskId, ['processing'], {
      $set: { cancel_requested_at: at, updated_at: at },
    });
  }

  /**
   * Moves a task from one of `from` to whatever `update` sets, atomically. Returns the updated
   * task, or null when the task was not in one of those states (someone else moved it first).
   */
  private async transition(
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

  /*
   * Aggregations for /v1/system/metrics, /v1/usage and budgets. They stay inside what FerretDB
   * 1.24 runs correctly: $match, then $group with exactly ONE accumulator ($sum) — FerretDB
   * computes only the first accumulator of a $group and returns 0 for the others.
   */

  /** Tasks created in [from, to), counted by selected agent (null: not routed) and status. */
  async countByAgentAndStatus(from: Date, to: Date): Promise<AgentStatusCount[]> {
    const rows = await this.tasks
      .aggregate<{ _id: { agent?: string | null; status: TaskStatus }; count: number }>([
        { $match: { created_at: { $gte: from, $lt: to } } },
        { $group: { _id: { agent: '$selected_agent', status: '$status' }, count: { $sum: 1 } } },
      ])
      .exec();
    return rows.map((row) => ({
      agent: row._id.agent ?? null,
      status: row._id.status,
      count: row.count,
    }));
  }

  /** Token and USD totals of the tasks created in [from, to) by `owner`; unknown USD counts 0. */
  async costTotals(owner: OwnerScope, from: Date, to: Date): Promise<CostTotals> {
    const match = { ...ownerFilter(owner), created_at: { $gte: from, $lt: to } };
    const [prompt, completion, total, usd] = await Promise.all(
      ['prompt_tokens', 'completion_tokens', 'total_tokens', 'usd_estimate'].map((field) =>
        this.sumOf(match, `$cost.${field}`),
      ),
    );
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total, usd };
  }

  /** USD spent by `owner` on tasks created since `from` (null costs count 0). */
  spendUsd(owner: OwnerScope, from: Date): Promise<number> {
    return this.sumOf({ ...ownerFilter(owner), created_at: { $gte: from } }, '$cost.usd_estimate');
  }

  /** The tasks `owner` created in [from, to), with what the usage report needs, streamed. */
  usageRows(owner: OwnerScope, from: Date, to: Date): AsyncIterable<UsageRow> {
    return this.tasks
      .find(
        { ...ownerFilter(owner), created_at: { $gte: from, $lt: to } },
        { _id: 0, created_at: 1, status: 1, cost: 1 },
      )
      .lean<UsageRow>()
      .cursor();
  }

  /*
   * Latency (completed_at - created_at) is kept on completed tasks as `latency_ms`, so averages
   * are a $sum and percentiles a sort-and-skip over an index. The runner writes it with the
   * completion; fillLatency fills it in on tasks stored without it (by an earlier version).
   */

  /** The index the latency queries run on: it covers their filter, sort and projection. */
  async ensureLatencyIndex(): Promise<void> {
    await this.tasks.collection.createIndex(
      { status: 1, created_at: 1, latency_ms: 1 },
      { name: 'status_1_created_at_1_latency_ms_1' },
    );
  }

  /** Sets `latency_ms` on up to `limit` completed tasks created in [from, to) that lack it. */
  async fillLatency(from: Date, to: Date, limit: number): Promise<number> {
    const docs = await this.tasks.collection
      .find(
        { status: 'completed', created_at: { $gte: from, $lt: to }, latency_ms: null },
        { projection: { _id: 0, task_id: 1, created_at: 1, completed_at: 1 } },
      )
      .limit(limit)
      .toArray();
    const updates = docs.flatMap((doc) => {
      if (!(doc.created_at instanceof Date) || !(doc.completed_at instanceof Date)) return [];
      const latency = Math.max(0, doc.completed_at.getTime() - doc.created_at.getTime());
      return [
        {
          updateOne: {
            filter: { task_id: doc.task_id as string },
            update: { $set: { latency_ms: latency } },
          },
        },
      ];
    });
    if (updates.length > 0) await this.tasks.collection.bulkWrite(updates, { ordered: false });
    return docs.length;
  }

  /** How many completed tasks created in [from, to) have a latency, and its sum. */
  async latencySummary(from: Date, to: Date): Promise<{ count: number; sumMs: number }> {
    const match = latencyMatch(from, to);
    const [count, sums] = await Promise.all([
      this.tasks.collection.countDocuments(match),
      this.tasks.collection
        .aggregate<{ sum: number }>([
          { $match: match },
          { $group: { _id: null, sum: { $sum: '$latency_ms' } } },
        ])
        .toArray(),
    ]);
    return { count, sumMs: sums[0]?.sum ?? 0 };
  }

  /** The `rank`-th smallest latency (0-based) of those tasks: sort and skip over the index. */
  async latencyAtRank(from: Date, to: Date, rank: number): Promise<number | null> {
    const [doc] = await this.tasks.collection
      .find(latencyMatch(from, to), { projection: { _id: 0, latency_ms: 1 } })
      .sort({ latency_ms: 1 })
      .skip(rank)
      .limit(1)
      .toArray();
    return typeof doc?.latency_ms === 'number' ? doc.latency_ms : null;
  }

  /** The sum of one numeric field over the matching tasks, as a single-accumulator $group. */
  private async sumOf(match: QueryFilter<TaskRecord>, field: string): Promise<number> {
    const [row] = await this.tasks
      .aggregate<{ sum: number }>([
        { $match: match },
        { $group: { _id: null, sum: { $sum: field } } },
      ])
      .exec();
    return row?.sum ?? 0;
  }
}

function ownerFilter(owner: OwnerScope | undefined): QueryFilter<TaskRecord> {
  return typeof owner === 'string' ? { 'metadata.api_key_id': owner } : {};
}

function withoutId<T extends { _id?: unknown }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}

export interface AgentStatusCount {
  agent: string | null;
  status: TaskStatus;
  count: number;
}

export interface CostTotals {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  usd: number;
}

export type UsageRow = Pick<TaskRecord, 'created_at' | 'status' | 'cost'>;

/** Completed tasks created in [from, to) whose latency is known. */
function latencyMatch(from: Date, to: Date) {
  return { status: 'completed', created_at: { $gte: from, $lt: to }, latency_ms: { $ne: null } };
}
