/** One earlier message of the session, oldest first. */
export interface HistoryMessage {
  role: 'user' | 'assistant' | 'system' | 'tool';
  content: string;
  agent_name?: string | null;
  task_id?: string;
}

/** Tokens and cost of one LLM call. `cost_usd` is null for a model with no known price. */
export interface LlmUsage {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number | null;
}

export interface UsageRecorder {
  record(usage: LlmUsage): void;
}

/** Progress an agent reports while it runs; streamed to the task's SSE subscribers. */
export type AgentEvent =
  | { type: 'delta'; text: string }
  | { type: 'progress'; message: string; data?: Record<string, unknown> };

/** Everything an agent gets for one run. */
export interface AgentContext {
  taskId: string;
  sessionId: string | null;
  /** The task text as the user sent it. */
  task: string;
  /** The last messages of the session (SESSION_HISTORY_MESSAGES), oldest first. */
  history: readonly HistoryMessage[];
  /** Aborted when the task is cancelled: pass it to every LLM and HTTP call. */
  signal: AbortSignal;
  emit(event: AgentEvent): void;
  usage: UsageRecorder;
}
