import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { BulkWriter } from '../database/bulk-writer';
import type { MessageRecord } from './session.record';
import { MESSAGE_MODEL } from './session.schema';

/** Owns the `messages` collection. Writes are group-committed (see BulkWriter). */
@Injectable()
export class MessagesRepository implements OnModuleDestroy {
  private readonly writer: BulkWriter<MessageRecord>;

  constructor(@InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageRecord>) {
    this.writer = BulkWriter.forModel(messages);
  }

  /** Stores the message of a task created just now, which cannot have one yet. */
  async insert(message: MessageRecord): Promise<void> {
    await this.writer.write({ insertOne: { document: { ...message } } });
  }

  /** Stores a task's message once; a second write for the same task and role is ignored. */
  async saveOnce(message: MessageRecord): Promise<void> {
    await this.writer.write({
      updateOne: {
        filter: { task_id: message.task_id, role: message.role },
        update: { $setOnInsert: message },
        upsert: true,
      },
    });
  }

  /**
   * The session's last `limit` messages of other tasks created no later than `until` (the
   * task's own acceptance), oldest first: a follow-up accepted after a task is not its history.
   */
  async recent(
    sessionId: string,
    apiKeyId: string | null,
    limit: number,
    excludingTask: string,
    until: Date,
  ): Promise<MessageRecord[]> {
    if (limit === 0) return [];
    const latest = await this.messages
      .find(
        {
          session_id: sessionId,
          api_key_id: apiKeyId,
          task_id: { $ne: excludingTask },
          created_at: { $lte: until },
        },
        { _id: 0 },
      )
      .sort({ created_at: -1, role: -1 })
      .limit(limit)
      .lean<MessageRecord[]>()
      .exec();
    return latest.reverse();
  }

  async page(
    sessionId: string,
    apiKeyId: string | null,
    page: number,
    pageSize: number,
  ): Promise<{ items: MessageRecord[]; total: number }> {
    const filter = { session_id: sessionId, api_key_id: apiKeyId };
    const [items, total] = await Promise.all([
      this.messages
        .find(filter, { _id: 0, api_key_id: 0 })
        .sort({ created_at: 1, role: -1 })
        .skip((page - 1) * pageSize)
        .limit(pageSize)
        .lean<MessageRecord[]>()
        .exec(),
      this.messages.countDocuments(filter).exec(),
    ]);
    return { items, total };
  }

  onModuleDestroy(): Promise<void> {
    return this.writer.drained();
  }
}
