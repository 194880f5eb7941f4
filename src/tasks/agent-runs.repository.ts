import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, mongo } from 'mongoose';
import type { AgentRunRecord } from '../agents/peer-agent.types';
import { BulkWriter } from '../database/bulk-writer';
import { AGENT_RUN_MODEL } from './agent-run.schema';

/** A stored run: its run_id as `_id`, or a driver-made ObjectId on runs stored before that. */
type StoredAgentRun = AgentRunRecord & { _id?: mongo.ObjectId | string };

/** Owns the `agent_runs` collection. Writes are group-committed (see BulkWriter). */
@Injectable()
export class AgentRunsRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<StoredAgentRun>;

  constructor(@InjectModel(AGENT_RUN_MODEL) private readonly runs: Model<AgentRunRecord>) {
    this.writer = BulkWriter.forModel(runs);
  }

  /**
   * Stores runs keyed by run_id, which is also their `_id`: the first write wins, so a duplicated
   * or retried job never doubles a run, and the check is the primary key's (one insert, no
   * lookup). Runs stored before run_id became the `_id` are caught by the unique run_id index.
   */
  async saveAll(runs: readonly AgentRunRecord[]): Promise<void> {
    await Promise.all(runs.map((run) => this.writer.insertIfAbsent({ _id: run.run_id, ...run })));
  }

  forTask(taskId: string): Promise<AgentRunRecord[]> {
    return this.runs
      .find({ task_id: taskId }, { _id: 0 })
      .sort({ started_at: 1 })
      .lean<AgentRunRecord[]>()
      .exec();
  }

  onModuleDestroy(): Promise<void> {
    return this.writer.drained();
  }
}
