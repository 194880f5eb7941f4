import type { AppError } from '../common/errors';
import type { AgentRegistry } from './agent-registry';
import { LowRoutingConfidenceError, UnknownAgentError } from './agents.errors';
import type { RoutingDecision } from './peer-agent.types';

export type DecisionCheck =
  { ok: true; routing: RoutingDecision } | { ok: false; routing: RoutingDecision; error: AppError };

/**
 * Whether a routing decision can be acted on: the agent must be registered, and a classified
 * (not hinted) decision confident enough. The registry, not the model, gives the agent's type.
 */
export function checkDecision(
  decision: RoutingDecision,
  registry: Pick<AgentRegistry, 'get' | 'list'>,
  minConfidence: number,
): DecisionCheck {
  const registered = registry.get(decision.agent_name);
  if (!registered) {
    const available = registry.list().map((a) => a.name);
    return {
      ok: false,
      routing: decision,
      error: new UnknownAgentError(decision.agent_name, decision.reasoning, available),
    };
  }
  if (!decision.hinted && decision.confidence < minConfidence) {
    return {
      ok: false,
      routing: decision,
      error: new LowRoutingConfidenceError(
        decision.agent_name,
        decision.confidence,
        minConfidence,
        decision.reasoning,
      ),
    };
  }
  return { ok: true, routing: { ...decision, agent_type: registered.meta.type } };
}
