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

  forTask(taskId: string): Promise<BusinessLogRecord[]> {
    return this.logs
      .find({ 'context.task_id': taskId }, { _id: 0 })
      .sort({ timestamp: 1 })
      .lean<BusinessLogRecord[]>()
      .exec();
  }
}
