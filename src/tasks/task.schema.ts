import { Schema } from 'mongoose';
import { TASK_STATUSES, type TaskRecord } from './task.record';

export const TASK_MODEL = 'Task';

const citation = new Schema(
  { index: Number, title: String, url: String, snippet: String, source: String },
  { _id: false },
);

export const TaskSchema = new Schema<TaskRecord>(
  {
    task_id: { type: String, required: true },
    session_id: { type: String, required: true },
    input_text: { type: String, required: true },
    status: { type: String, enum: TASK_STATUSES, required: true },
    requested_agent: { type: String, default: null },
    selected_agent: { type: String, default: null },
    agent_type: { type: String, default: null },
    peer_routing_reason: { type: String, default: null },
    routing_confidence: { type: Number, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    queued_at: { type: Date, required: true },
    started_at: { type: Date, default: null },
    completed_at: { type: Date, default: null },
    // completed_at − created_at of a completed task (absent on others), for the latency figures.
    latency_ms: { type: Number },
    cancel_requested_at: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    requeues: { type: Number, default: 0 },
    result: {
      type: new Schema(
        { summary: String, raw_output: String, code_language: String, citations: [citation] },
        { _id: false },
      ),
      default: null,
    },
    error: {
      type: new Schema(
        { code: String, message: String, retryable: Boolean, attempts: Number, stack: String },
        { _id: false },
      ),
      default: null,
    },
    cost: {
      prompt_tokens: { type: Number, default: 0 },
      completion_tokens: { type: Number, default: 0 },
      total_tokens: { type: Number, default: 0 },
      usd_estimate: { type: Number, default: 0 },
    },
    metadata: {
      ip: { type: String, default: null },
      user_agent: { type: String, default: null },
      request_id: { type: String, default: null },
      api_key_id: { type: String, default: null },
      client: { type: Schema.Types.Mixed, default: undefined },
    },
    webhook_url: { type: String, default: null },
    webhook_deliveries: {
      type: [
        new Schema(
          {
            at: Date,
            attempt: Number,
            outcome: String,
            status_code: Number,
            error: String,
            duration_ms: Number,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
  },
  { collection: 'tasks', versionKey: false, minimize: false },
);

// The spec's indexes, plus compound ones for the per-key, newest-first listing.
TaskSchema.index({ task_id: 1 }, { unique: true });
TaskSchema.index({ status: 1 });
TaskSchema.index({ agent_type: 1 });
TaskSchema.index({ created_at: -1 });
TaskSchema.index({ session_id: 1 });
TaskSchema.index({ 'metadata.api_key_id': 1, created_at: -1 });
TaskSchema.index({ 'metadata.api_key_id': 1, status: 1, created_at: -1 });
TaskSchema.index({ 'metadata.api_key_id': 1, agent_type: 1, created_at: -1 });
// The reconciler's scan: old queued/processing tasks.
TaskSchema.index({ status: 1, updated_at: 1 });
