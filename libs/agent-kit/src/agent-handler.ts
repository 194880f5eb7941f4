import type { AgentContext } from './agent-context';
import type { AgentOutput } from './agent-output';

/** The contract every `@Agent()` class implements. */
export interface AgentHandler {
  run(ctx: AgentContext): Promise<AgentOutput>;
}
