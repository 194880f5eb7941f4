import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { HistoryMessage } from '@agent-orchestrator/agent-kit';
import { tasksConfig } from '../config';
import { MessagesRepository } from './messages.repository';
import type { MessageRecord, SessionRecord } from './session.record';
import { SessionsRepository } from './sessions.repository';
import { SessionNotFoundError } from './sessions.errors';

/** A session a task belongs to; `isNew` when its id was made up just now. */
export interface SessionRef {
  id: string;
  isNew: boolean;
}

/** Sessions and their message history: the memory agents get for follow-up tasks. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly messages: MessagesRepository,
    @Inject(tasksConfig.KEY) private readonly config: ConfigType<typeof tasksConfig>,
  ) {}

  /** The session a task joins: the requested one, or a new one when none is given. */
  resolve(requested: string | undefined): SessionRef {
    return requested === undefined
      ? { id: randomUUID(), isNew: true }
      : { id: requested, isNew: false };
  }

  /** Makes sure the key's session exists: a new one is created, a requested one created if absent. */
  ensure(
    session: SessionRef,
    apiKeyId: string | null,
    ip: string | null,
    now: Date,
  ): Promise<void> {
    return this.sessions.touch(session.id, apiKeyId, ip, now, session.isNew);
  }

  /** Stores the message of a task created just now. */
  addMessage(message: MessageRecord): Promise<void> {
    return this.messages.insert(message);
  }

  /** Stores a task's message once, however often its job runs. */
  saveMessage(message: MessageRecord): Promise<void> {
    return this.messages.saveOnce(message);
  }

  /**
   * The session's last SESSION_HISTORY_MESSAGES messages before the task (other tasks' messages
   * up to its acceptance), oldest first.
   */
  async history(
    sessionId: string,
    apiKeyId: string | null,
    taskId: string,
    acceptedAt: Date,
  ): Promise<HistoryMessage[]> {
    const recent = await this.messages.recent(
      sessionId,
      apiKeyId,
      this.config.sessionHistoryMessages,
      taskId,
      acceptedAt,
    );
    return recent.map((m) => ({
      role: m.role,
      content: m.content,
      agent_name: m.agent_name,
      task_id: m.task_id,
    }));
  }

  recordTask(sessionId: string, apiKeyId: string | null, taskId: string, now: Date): Promise<void> {
    return this.sessions.recordTask(sessionId, apiKeyId, taskId, now);
  }

  async get(
    sessionId: string,
    owner: string | null,
    page: number,
    pageSize: number,
  ): Promise<{ session: SessionRecord; messages: MessageRecord[]; total: number }> {
    const session = await this.sessions.findOne(sessionId, owner);
    if (!session) throw new SessionNotFoundError(sessionId);
    const { items, total } = await this.messages.page(
      sessionId,
      session.api_key_id,
      page,
      pageSize,
    );
    return { session, messages: items, total };
  }
}
