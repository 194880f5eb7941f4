import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { AgentRunRecord } from '../agents/peer-agent.types';
import { AGENT_RUN_MODEL } from './agent-run.schema';

/** Owns the `agent_runs` collection. */
@Injectable()
export class AgentRunsRepository {
  constructor(@InjectModel(AGENT_RUN_MODEL) private readonly runs: Model<AgentRunRecord>) {}

  /**
   * Stores runs keyed by run_id. The first write wins, so a duplicated or retried job never
   * doubles a run.
   */
  async saveAll(runs: readonly AgentRunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    await this.runs.bulkWrite(
      runs.map((run) => ({
        updateOne: { filter: { run_id: run.run_id }, update: { $setOnInsert: run }, upsert: true },
      })),
      { ordered: false },
    );
  }

  forTask(taskId: string): Promise<AgentRunRecord[]> {
    return this.runs
      .find({ task_id: taskId }, { _id: 0 })
      .sort({ started_at: 1 })
      .lean<AgentRunRecord[]>()
      .exec();
  }
}
