import { Schema } from 'mongoose';
import type { AgentRunRecord } from '../agents/peer-agent.types';

export const AGENT_RUN_MODEL = 'AgentRun';

export const AgentRunSchema = new Schema<AgentRunRecord>(
  {
    run_id: { type: String, required: true },
    task_id: { type: String, required: true },
    session_id: { type: String, default: null },
    agent_name: { type: String, required: true },
    agent_role: { type: String, enum: ['router', 'executor'], required: true },
    input: { type: String, default: '' },
    output: { type: String, default: '' },
    model: { type: String, default: null },
    tools_used: { type: [String], default: [] },
    started_at: { type: Date, required: true },
    finished_at: { type: Date, required: true },
    duration_ms: { type: Number, required: true },
    token_usage: {
      prompt: { type: Number, default: 0 },
      completion: { type: Number, default: 0 },
      total: { type: Number, default: 0 },
    },
    cost_usd: { type: Number, default: null },
  },
  { collection: 'agent_runs', versionKey: false },
);

AgentRunSchema.index({ run_id: 1 }, { unique: true });
AgentRunSchema.index({ task_id: 1 });
AgentRunSchema.index({ agent_name: 1 });
