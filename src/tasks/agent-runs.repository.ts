import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { AgentRunRecord } from '../agents/peer-agent.types';
import { BulkWriter } from '../database/bulk-writer';
import { AGENT_RUN_MODEL } from './agent-run.schema';

/** Owns the `agent_runs` collection. Writes are group-committed (see BulkWriter). */
@Injectable()
export class AgentRunsRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<AgentRunRecord>;

  constructor(@InjectModel(AGENT_RUN_MODEL) private readonly runs: Model<AgentRunRecord>) {
    this.writer = BulkWriter.forModel(runs);
  }

  /**
   * Stores runs keyed by run_id. The first write wins, so a duplicated or retried job never
   * doubles a run.
   */
  async saveAll(runs: readonly AgentRunRecord[]): Promise<void> {
    await Promise.all(
      runs.map((run) =>
        this.writer.write({
          updateOne: {
            filter: { run_id: run.run_id },
            update: { $setOnInsert: run },
            upsert: true,
          },
        }),
      ),
    );
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
