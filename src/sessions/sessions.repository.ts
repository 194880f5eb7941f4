import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { SessionRecord } from './session.record';
import { SESSION_MODEL } from './session.schema';

const DUPLICATE_KEY = 11000;

/** Owns the `sessions` collection. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectModel(SESSION_MODEL) private readonly sessions: Model<SessionRecord>) {}

  /** The key's session with this id, created if absent. Safe under concurrent calls. */
  async ensure(
    sessionId: string,
    apiKeyId: string | null,
    ip: string | null,
    now: Date,
  ): Promise<SessionRecord> {
    const filter = { session_id: sessionId, api_key_id: apiKeyId };
    const update = {
      $setOnInsert: {
        session_id: sessionId,
        api_key_id: apiKeyId,
        created_at: now,
        updated_at: now,
        metadata: { ip },
        last_task_id: null,
      },
    };
    // No projection: FerretDB does not implement findAndModify's `fields`.
    const options = { upsert: true, returnDocument: 'after' as const };
    try {
      const { _id, ...session } = (await this.sessions
        .findOneAndUpdate(filter, update, options)
        .lean<SessionRecord & { _id: unknown }>()
        .exec())!;
      return session;
    } catch (err) {
      // Two concurrent upserts of a new id: one inserts, the other hits the unique index.
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      return (await this.sessions.findOne(filter, { _id: 0 }).lean<SessionRecord>().exec())!;
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
    await this.sessions
      .updateOne(
        { session_id: sessionId, api_key_id: apiKeyId },
        { $set: { last_task_id: taskId, updated_at: now } },
      )
      .exec();
  }
}
