import type { AgentEvent, AgentOutput, HistoryMessage } from '@agent-orchestrator/agent-kit';

/** The router's decision, as validated against the registry. */
export interface RoutingDecision {
  agent_name: string;
  agent_type: string;
  confidence: number;
  reasoning: string;
  /** True when the caller named the agent and classification was skipped. */
  hinted: boolean;
}

/** One router call or agent execution, with the spec's `agent_runs` fields. */
export interface AgentRunRecord {
  /** `<task_id>:router` or `<task_id>:<agent name>`. */
  run_id: string;
  task_id: string;
  session_id: string | null;
  agent_name: string;
  agent_role: 'router' | 'executor';
  input: string;
  output: string;
  model: string | null;
  tools_used: string[];
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  token_usage: { prompt: number; completion: number; total: number };
  cost_usd: number | null;
}

export interface TaskUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Null when some call used a model with no known price. */
  usd_estimate: number | null;
}

/** Everything the Peer Agent reports while it works, in order. */
export type PeerAgentEvent =
  | AgentEvent
  | { type: 'routing'; routing: RoutingDecision }
  | { type: 'agent_started'; agent_name: string; agent_type: string }
  | { type: 'agent_finished'; agent_name: string; agent_type: string; duration_ms: number }
  | { type: 'usage'; usage: TaskUsage };

export interface PeerAgentInput {
  taskId: string;
  sessionId: string | null;
  task: string;
  history: readonly HistoryMessage[];
  /** An agent name from the caller: skips classification, still checked against the registry. */
  agentHint?: string;
  signal: AbortSignal;
  emit(event: PeerAgentEvent): void;
}

export interface PeerAgentResult {
  output: AgentOutput;
  routing: RoutingDecision;
  /** Router run (unless hinted) and executor run. */
  runs: AgentRunRecord[];
  usage: TaskUsage;
}
