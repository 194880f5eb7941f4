import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { BulkWriter } from '../database/bulk-writer';
import { isDuplicateKey } from '../database/duplicate-key';
import type { SessionRecord } from './session.record';
import { SESSION_MODEL } from './session.schema';

/** Owns the `sessions` collection. Writes are group-committed (see BulkWriter). */
@Injectable()
export class SessionsRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<SessionRecord>;

  constructor(@InjectModel(SESSION_MODEL) private readonly sessions: Model<SessionRecord>) {
    this.writer = BulkWriter.forModel(sessions);
  }

  /**
   * Makes sure the key's session with this id exists: inserted when `isNew` (a fresh id nobody
   * can have used), else created if absent. Safe under concurrent calls.
   */
  async touch(
    sessionId: string,
    apiKeyId: string | null,
    ip: string | null,
    now: Date,
    isNew: boolean,
  ): Promise<void> {
    const session: SessionRecord = {
      session_id: sessionId,
      api_key_id: apiKeyId,
      created_at: now,
      updated_at: now,
      metadata: { ip },
      last_task_id: null,
    };
    try {
      await this.writer.write(
        isNew
          ? { insertOne: { document: session } }
          : {
              updateOne: {
                filter: { session_id: sessionId, api_key_id: apiKeyId },
                update: { $setOnInsert: session },
                upsert: true,
              },
            },
      );
    } catch (err) {
      // Two concurrent upserts of a new id: one inserts, the other hits the unique index.
      if (!isDuplicateKey(err)) throw err;
    }
  }

  findOne(sessionId: string, apiKeyId: string | null | undefined): Promise<SessionRecord | null> {
    const filter =
      typeof apiKeyId === 'string'
        ? { session_id: sessionId, api_key_id: apiKeyId }
        : { session_id: sessionId };
    return this.sessions.findOne(filter, { _id: 0 }).lean<SessionRecord>().exec();
  }

  async recordTask(
    sessionId: string,
    apiKeyId: string | null,
    taskId: string,
    now: Date,
  ): Promise<void> {
    await this.writer.write({
      updateOne: {
        filter: { session_id: sessionId, api_key_id: apiKeyId },
        update: { $set: { last_task_id: taskId, updated_at: now } },
      },
    });
  }

  onModuleDestroy(): Promise<void> {
    return this.writer.drained();
  }
}
