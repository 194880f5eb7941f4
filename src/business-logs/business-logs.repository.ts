import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { BusinessLogRecord } from './business-log.record';
import { BUSINESS_LOG_MODEL } from './business-log.schema';

/** Owns the `logs` collection. */
@Injectable()
export class BusinessLogsRepository {
  constructor(@InjectModel(BUSINESS_LOG_MODEL) private readonly logs: Model<BusinessLogRecord>) {}

  async insert(record: BusinessLogRecord): Promise<void> {
    await this.logs.create(record);
  }

  /** Inserts the record unless its task already has one with this message; true when inserted. */
  async insertOnce(record: BusinessLogRecord & { context: { task_id: string } }): Promise<boolean> {
    const result = await this.logs
      .updateOne(
        { message: record.message, 'context.task_id': record.context.task_id },
        { $setOnInsert: record },
        { upsert: true },
      )
      .exec();
    return result.upsertedCount > 0;
  }

  forTask(taskId: string): Promise<BusinessLogRecord[]> {
    return this.logs
      .find({ 'context.task_id': taskId }, { _id: 0 })
      .sort({ timestamp: 1 })
      .lean<BusinessLogRecord[]>()
      .exec();
  }
}
