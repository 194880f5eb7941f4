import { Schema } from 'mongoose';
import { MESSAGE_ROLES, type MessageRecord, type SessionRecord } from './session.record';

export const SESSION_MODEL = 'Session';
export const MESSAGE_MODEL = 'Message';

export const SessionSchema = new Schema<SessionRecord>(
  {
    session_id: { type: String, required: true },
    api_key_id: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    metadata: { ip: { type: String, default: null }, user_id: { type: String, default: null } },
    last_task_id: { type: String, default: null },
  },
  { collection: 'sessions', versionKey: false },
);
// Unique per key, so one key can neither see nor take over another key's session id.
SessionSchema.index({ session_id: 1, api_key_id: 1 }, { unique: true });

export const MessageSchema = new Schema<MessageRecord>(
  {
    session_id: { type: String, required: true },
    api_key_id: { type: String, default: null },
    task_id: { type: String, required: true },
    role: { type: String, enum: MESSAGE_ROLES, required: true },
    agent_name: { type: String, default: null },
    content: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: 'messages', versionKey: false },
);
MessageSchema.index({ session_id: 1, api_key_id: 1, created_at: -1 });
MessageSchema.index({ task_id: 1 });
// One user and one assistant message per task: a retried job cannot store the answer twice.
MessageSchema.index({ task_id: 1, role: 1 }, { unique: true });
