import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { BulkWriter } from '../database/bulk-writer';
import type { BusinessLogRecord } from './business-log.record';
import { BUSINESS_LOG_MODEL } from './business-log.schema';

/**
 * Owns the `logs` collection. Writes are group-committed: under load, the records of many tasks
 * go to the database in one command.
 */
@Injectable()
export class BusinessLogsRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<BusinessLogRecord>;

  constructor(@InjectModel(BUSINESS_LOG_MODEL) private readonly logs: Model<BusinessLogRecord>) {
    this.writer = BulkWriter.forModel(logs);
  }

  async insert(record: BusinessLogRecord): Promise<void> {
    await this.writer.write({ insertOne: { document: record } });
  }

  /** Inserts the record unless its task already has one with this message; true when inserted. */
  async insertOnce(record: BusinessLogRecord & { context: { task_id: string } }): Promise<boolean> {
    const { upserted } = await this.writer.write({
      updateOne: {
        filter: { message: record.message, 'context.task_id': record.context.task_id },
        update: { $setOnInsert: record },
        upsert: true,
      },
    });
    return upserted;
  }

  forTask(taskId: string): Promise<BusinessLogRecord[]> {
    return this.logs
      .find({ 'context.task_id': taskId }, { _id: 0 })
      .sort({ timestamp: 1 })
      .lean<BusinessLogRecord[]>()
      .exec();
  }

  /** Writes still queued go out before the connection closes. */
  onModuleDestroy(): Promise<void> {
    return this.writer.drained();
  }
}
