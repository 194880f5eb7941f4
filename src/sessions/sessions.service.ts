import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { HistoryMessage } from '@agent-orchestrator/agent-kit';
import { tasksConfig } from '../config';
import { MessagesRepository } from './messages.repository';
import type { MessageRecord, SessionRecord } from './session.record';
import { SessionsRepository } from './sessions.repository';
import { SessionNotFoundError } from './sessions.errors';

/** Sessions and their message history: the memory agents get for follow-up tasks. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly messages: MessagesRepository,
    @Inject(tasksConfig.KEY) private readonly config: ConfigType<typeof tasksConfig>,
  ) {}

  /** Reuses the key's session with this id, creates it if absent, or starts a new one. */
  ensure(
    sessionId: string | undefined,
    apiKeyId: string | null,
    ip: string | null,
    now: Date,
  ): Promise<SessionRecord> {
    return this.sessions.ensure(sessionId ?? randomUUID(), apiKeyId, ip, now);
  }

  saveMessage(message: MessageRecord): Promise<void> {
    return this.messages.saveOnce(message);
  }

  /** The session's last SESSION_HISTORY_MESSAGES messages before this task, oldest first. */
  async history(
    sessionId: string,
    apiKeyId: string | null,
    taskId: string,
  ): Promise<HistoryMessage[]> {
    const recent = await this.messages.recent(
      sessionId,
      apiKeyId,
      this.config.sessionHistoryMessages,
      taskId,
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
