import { AppError } from '../common/errors';

/*
 * Failures of agent discovery (at boot) and of routing and running a task. Boot errors stop the
 * process; the others end a task, permanently unless said otherwise.
 */

/** Two @Agent classes claim the same name: the router could not tell them apart. */
export class DuplicateAgentNameError extends AppError {
  constructor(name: string, first: string, second: string) {
    super('INTERNAL_ERROR', `Agent name "${name}" is used by both ${first} and ${second}.`, {
      details: { agent_name: name, classes: [first, second] },
    });
  }
}

/** An @Agent class that cannot be run: no run() method, or an incomplete @Agent({...}). */
export class InvalidAgentError extends AppError {
  constructor(className: string, problem: string) {
    super('INTERNAL_ERROR', `${className} cannot be registered as an agent: ${problem}.`, {
      details: { class: className },
    });
  }
}

/** The router (or the caller's hint) named an agent the registry does not have. */
export class UnknownAgentError extends AppError {
  constructor(agentName: string, reasoning: string, available: string[]) {
    super(
      'UNKNOWN_TASK_TYPE',
      `No agent can handle this task (router chose "${agentName}"; available: ${available.join(', ')}). ${reasoning}`.trim(),
      { details: { agent_name: agentName, reasoning, available } },
    );
  }
}

/** The router's confidence is below ROUTER_MIN_CONFIDENCE. */
export class LowRoutingConfidenceError extends AppError {
  constructor(agentName: string, confidence: number, minimum: number, reasoning: string) {
    super(
      'UNKNOWN_TASK_TYPE',
      `The router is not confident enough to route this task (${agentName} at ${confidence} < ${minimum}). ${reasoning}`.trim(),
      { details: { agent_name: agentName, confidence, min_confidence: minimum, reasoning } },
    );
  }
}

/** The router's reply was not the JSON asked for, even after one repair attempt. */
export class RoutingReplyInvalidError extends AppError {
  constructor(problem: string) {
    super('ROUTING_FAILED', `The router did not answer with a valid routing decision: ${problem}`, {
      details: { problem },
    });
  }
}

/**
 * An agent threw something that is not one of our errors. Retryable only when a transient
 * error (an LLM timeout, say) is somewhere in its cause chain.
 */
export class AgentFailedError extends AppError {
  constructor(agentName: string, cause: unknown, retryable: boolean) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('AGENT_FAILED', `${agentName} failed: ${reason}`, {
      retryable,
      cause,
      details: { agent_name: agentName },
    });
  }
}
