import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, mongo } from 'mongoose';
import { BulkWriter } from '../database/bulk-writer';
import type { BusinessLogRecord } from './business-log.record';
import { BUSINESS_LOG_MODEL } from './business-log.schema';

/** A stored record: a driver-made ObjectId, or a string for the records written once per task. */
type StoredBusinessLog = BusinessLogRecord & { _id?: mongo.ObjectId | string };

/**
 * Owns the `logs` collection. Writes are group-committed: under load, the records of many tasks
 * go to the database in one command.
 */
@Injectable()
export class BusinessLogsRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<StoredBusinessLog>;

  constructor(@InjectModel(BUSINESS_LOG_MODEL) private readonly logs: Model<BusinessLogRecord>) {
    this.writer = BulkWriter.forModel(logs);
  }

  async insert(record: BusinessLogRecord): Promise<void> {
    await this.writer.write({ insertOne: { document: record } });
  }

  /**
   * Inserts the record unless its task already has one with this message; true when inserted.
   * The record's `_id` is made of the two, so the check is the primary key's: one insert, no
   * lookup. (A filter on `context.task_id` would be a collection scan on FerretDB, which pushes
   * no dotted filter down: ~30 ms per write at 30,000 records, growing with the collection.)
   */
  insertOnce(record: BusinessLogRecord & { context: { task_id: string } }): Promise<boolean> {
    const _id = `${record.context.task_id}:${record.message}`;
    return this.writer.insertIfAbsent({ _id, ...record });
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
