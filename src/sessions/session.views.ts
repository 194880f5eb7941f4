import { ApiProperty } from '@nestjs/swagger';
import {
  MESSAGE_ROLES,
  type MessageRecord,
  type MessageRole,
  type SessionRecord,
} from './session.record';

export class MessageView {
  @ApiProperty() task_id!: string;
  @ApiProperty({ enum: MESSAGE_ROLES }) role!: MessageRole;
  @ApiProperty({ nullable: true, type: String, example: 'CodeAgent' }) agent_name!: string | null;
  @ApiProperty() content!: string;
  @ApiProperty() created_at!: string;
}

export class SessionView {
  @ApiProperty() session_id!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
  @ApiProperty({ nullable: true, type: String }) last_task_id!: string | null;
  @ApiProperty({ type: [MessageView], description: 'Oldest first; paginated with page/page_size.' })
  messages!: MessageView[];
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty() total_messages!: number;
  @ApiProperty({ example: 'v1' }) api_version!: string;
}

export function toSessionView(
  session: SessionRecord,
  messages: MessageRecord[],
  paging: { page: number; page_size: number; total: number },
): SessionView {
  return {
    session_id: session.session_id,
    created_at: new Date(session.created_at).toISOString(),
    updated_at: new Date(session.updated_at).toISOString(),
    // Sessions stored by an upsert may lack the field (null values of $setOnInsert are dropped).
    last_task_id: session.last_task_id ?? null,
    messages: messages.map((m) => ({
      task_id: m.task_id,
      role: m.role,
      agent_name: m.agent_name,
      content: m.content,
      created_at: new Date(m.created_at).toISOString(),
    })),
    page: paging.page,
    page_size: paging.page_size,
    total_messages: paging.total,
    api_version: 'v1',
  };
}
