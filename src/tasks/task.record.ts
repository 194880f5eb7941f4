import type { Citation } from '@agent-orchestrator/agent-kit';

export const TASK_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const FINISHED_STATUSES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies TaskStatus[];
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

export function isFinished(status: TaskStatus): status is FinishedStatus {
  return (FINISHED_STATUSES as readonly TaskStatus[]).includes(status);
}

export interface TaskError {
  code: string;
  message: string;
  retryable: boolean;
  attempts: number;
  /** Kept in the database for debugging; never returned by the API. */
  stack?: string;
}

export interface TaskResult {
  summary: string | null;
  raw_output: string | null;
  code_language: string | null;
  citations: Citation[];
}

export interface TaskCost {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  usd_estimate: number | null;
}

export interface TaskMetadata {
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** Short hash of the caller's API key; null when auth is disabled. */
  api_key_id: string | null;
  /** The caller's own `metadata` object, flat, at most 4 KB. */
  client?: Record<string, string | number | boolean | null>;
}

/** One attempt to deliver a task's completion webhook. */
export interface WebhookDelivery {
  at: Date;
  attempt: number;
  outcome: 'delivered' | 'failed';
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** A task as stored in the `tasks` collection. */
export interface TaskRecord {
  task_id: string;
  session_id: string;
  input_text: string;
  status: TaskStatus;
  /** The caller's agent name, when it skipped routing. */
  requested_agent: string | null;
  selected_agent: string | null;
  agent_type: string | null;
  peer_routing_reason: string | null;
  routing_confidence: number | null;
  created_at: Date;
  updated_at: Date;
  queued_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  /** completed_at − created_at, set when the task completes (see TasksRepository.fillLatency). */
  latency_ms?: number;
  cancel_requested_at: Date | null;
  attempts: number;
  /** How often the reconciler put this task back on the queue. */
  requeues: number;
  result: TaskResult | null;
  error: TaskError | null;
  cost: TaskCost;
  metadata: TaskMetadata;
  /** Where to POST the signed summary when the task finishes. */
  webhook_url: string | null;
  webhook_deliveries: WebhookDelivery[];
}

/** What a status change writes besides the status and its times (a typed partial of the task). */
export type TaskOutcome = Partial<
  Pick<
    TaskRecord,
    | 'selected_agent'
    | 'agent_type'
    | 'peer_routing_reason'
    | 'routing_confidence'
    | 'latency_ms'
    | 'result'
    | 'error'
    | 'cost'
    | 'cancel_requested_at'
  >
>;

export const EMPTY_COST: TaskCost = {
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  usd_estimate: 0,
};
