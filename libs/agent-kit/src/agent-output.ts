import type { Citation } from './citation';

/** What an agent returns; stored as the task's `result`. */
export interface AgentOutput {
  /** One or two sentences for task lists. */
  summary: string;
  /** The full answer, in markdown. */
  raw_output: string;
  /** Set by agents that answer with code, normalised (`python`, `typescript`, ...). */
  code_language?: string | null;
  citations: Citation[];
  /** Tools the agent used, e.g. `web_search`. */
  tools_used: string[];
}
