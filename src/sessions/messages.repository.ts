import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { MessageRecord } from './session.record';
import { MESSAGE_MODEL } from './session.schema';

/** Owns the `messages` collection. */
@Injectable()
export class MessagesRepository {
  constructor(@InjectModel(MESSAGE_MODEL) private readonly messages: Model<MessageRecord>) {}

  /** Stores a task's message once; a second write for the same task and role is ignored. */
  async saveOnce(message: MessageRecord): Promise<void> {
    await this.messages
      .updateOne(
        { task_id: message.task_id, role: message.role },
        { $setOnInsert: message },
        { upsert: true },
      )
      .exec();
  }

  /** The session's last `limit` messages before `excludingTask`, oldest first. */
  async recent(
    sessionId: string,
    apiKeyId: string | null,
    limit: number,
    excludingTask: string,
  ): Promise<MessageRecord[]> {
    if (limit === 0) return [];
    const latest = await this.messages
      .find(
        { session_id: sessionId, api_key_id: apiKeyId, task_id: { $ne: excludingTask } },
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
}
