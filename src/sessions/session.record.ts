export interface SessionRecord {
  session_id: string;
  /** Sessions belong to one API key; the same id under another key is another session. */
  api_key_id: string | null;
  created_at: Date;
  updated_at: Date;
  metadata: { ip: string | null; user_id?: string | null };
  last_task_id: string | null;
}

export const MESSAGE_ROLES = ['user', 'system', 'assistant', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export interface MessageRecord {
  session_id: string;
  api_key_id: string | null;
  task_id: string;
  role: MessageRole;
  agent_name: string | null;
  content: string;
  created_at: Date;
}
