import { Logger } from '@nestjs/common';
import {
  Annotation,
  END,
  START,
  StateGraph,
  type LangGraphRunnableConfig,
} from '@langchain/langgraph';
import type {
  AgentContext,
  AgentEvent,
  AgentOutput,
  HistoryMessage,
} from '../../libs/agent-kit/src';
import { AppError, isRetryable } from '../common/errors';
import { CancelledError } from '../llm/llm.errors';
import { inSpan } from '../tracing/spans';
import type { AgentRegistry } from './agent-registry';
import { AgentFailedError } from './agents.errors';
import type { AgentRunRecord, PeerAgentEvent, RoutingDecision } from './peer-agent.types';
import { checkDecision } from './routing-decision';
import { RunTracker } from './run-tracker';
import type { TaskRouter } from './task-router';

export interface PeerAgentTask {
  taskId: string;
  sessionId: string | null;
  task: string;
  history: readonly HistoryMessage[];
  agentHint?: string;
}

/** What a node needs beyond the state and cannot be state: the task's signal and event sink. */
export interface PeerAgentScope {
  signal: AbortSignal;
  emit(event: PeerAgentEvent): void;
}

const last = <T>(fallback: T) =>
  Annotation<T>({ reducer: (_, next) => next, default: () => fallback });

export const PeerAgentState = Annotation.Root({
  task: Annotation<PeerAgentTask>(),
  /** The router's (or the hint's) answer, before it is checked against the registry. */
  classification: last<RoutingDecision | null>(null),
  /** The checked decision; also set to the rejected one when routing fails, for the record. */
  routing: last<RoutingDecision | null>(null),
  output: last<AgentOutput | null>(null),
  runs: Annotation<AgentRunRecord[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  failure: last<AppError | null>(null),
});

export type PeerAgentStateValue = typeof PeerAgentState.State;
type Update = typeof PeerAgentState.Update;

export interface PeerAgentGraphDeps {
  registry: AgentRegistry;
  router: TaskRouter;
  minConfidence: number;
}

const SCOPE_KEY = 'peer_agent_scope';

export function scopeConfig(scope: PeerAgentScope): LangGraphRunnableConfig {
  return { configurable: { [SCOPE_KEY]: scope } };
}

function scopeOf(config: LangGraphRunnableConfig): PeerAgentScope {
  // configurable is untyped by LangGraph; only scopeConfig() ever puts this key there.
  return config.configurable?.[SCOPE_KEY] as PeerAgentScope;
}

/**
 * classify_task → route_to_agent → execute_agent, each with a conditional edge to
 * handle_failure. Nodes never throw: a failure goes into the state with the runs done so far,
 * so the caller can report what was spent. Built once per process; nothing in it is per task.
 */
export function buildPeerAgentGraph(deps: PeerAgentGraphDeps) {
  const logger = new Logger('PeerAgentGraph');
  const { registry, router, minConfidence } = deps;

  const classifyTask = async (
    state: PeerAgentStateValue,
    config: LangGraphRunnableConfig,
  ): Promise<Update> => {
    const { task } = state;
    const { signal } = scopeOf(config);
    if (signal.aborted) return { failure: new CancelledError() };
    if (task.agentHint !== undefined) {
      return {
        classification: {
          agent_name: task.agentHint,
          agent_type: registry.get(task.agentHint)?.meta.type ?? '',
          confidence: 1,
          reasoning: 'The caller chose this agent, so classification was skipped.',
          hinted: true,
        },
      };
    }
    const outcome = await router.classify({ ...task, signal }, registry.list());
    if ('error' in outcome) return { runs: [outcome.run], failure: outcome.error };
    return { runs: [outcome.run], classification: { ...outcome.reply, hinted: false } };
  };

  const routeToAgent = (state: PeerAgentStateValue, config: LangGraphRunnableConfig): Update => {
    const decision = state.classification;
    if (!decision) {
      return { failure: new AgentFailedError('PeerAgent', 'no classification', false) };
    }
    const checked = checkDecision(decision, registry, minConfidence);
    if (!checked.ok) return { routing: checked.routing, failure: checked.error };
    scopeOf(config).emit({ type: 'routing', routing: checked.routing });
    return { routing: checked.routing };
  };

  const executeAgent = async (
    state: PeerAgentStateValue,
    config: LangGraphRunnableConfig,
  ): Promise<Update> => {
    const { task } = state;
    const scope = scopeOf(config);
    const routing = state.routing as RoutingDecision;
    const registered = registry.get(routing.agent_name);
    if (!registered) {
      return { failure: new AgentFailedError(routing.agent_name, 'not registered', false) };
    }
    const { name, type } = registered.meta;
    const tracker = new RunTracker({
      run_id: `${task.taskId}:${name}`,
      task_id: task.taskId,
      session_id: task.sessionId,
      agent_name: name,
      agent_role: 'executor',
      input: task.task,
    });
    let open = true;
    const ctx: AgentContext = {
      taskId: task.taskId,
      sessionId: task.sessionId,
      task: task.task,
      history: task.history,
      signal: scope.signal,
      usage: tracker,
      // Events after the run ended (a stray callback) would arrive after agent_finished.
      emit: (event: AgentEvent) => {
        if (open) scope.emit(event);
      },
    };
    scope.emit({ type: 'agent_started', agent_name: name, agent_type: type });
    const attributes = { 'task.id': task.taskId, 'agent.name': name, 'agent.type': type };
    try {
      // The agent's own LLM calls and searches are children of this span.
      const produced = await inSpan('agent.run', { attributes }, () => registered.handler.run(ctx));
      const output = checkedOutput(produced, name);
      if (scope.signal.aborted) throw new CancelledError();
      open = false;
      const run = tracker.finish(output.raw_output, output.tools_used);
      scope.emit({
        type: 'agent_finished',
        agent_name: name,
        agent_type: type,
        duration_ms: run.duration_ms,
      });
      return { output, runs: [run] };
    } catch (err) {
      open = false;
      return { runs: [tracker.finish('')], failure: agentFailure(err, scope.signal, name) };
    }
  };

  const handleFailure = (state: PeerAgentStateValue): Update => {
    const failure = state.failure;
    const entry = {
      msg: `Task ended with ${failure?.code}: ${failure?.message}`,
      task_id: state.task.taskId,
      agent_name: state.routing?.agent_name ?? null,
      retryable: failure?.retryable ?? false,
    };
    // A cancel is the user's choice, not a fault.
    if (failure?.code === 'CANCELLED') logger.log(entry);
    else logger.warn(entry);
    return {};
  };

  const next = (onSuccess: string) => (state: PeerAgentStateValue) =>
    state.failure ? 'failed' : onSuccess;

  return new StateGraph(PeerAgentState)
    .addNode('classify_task', classifyTask)
    .addNode('route_to_agent', routeToAgent)
    .addNode('execute_agent', executeAgent)
    .addNode('handle_failure', handleFailure)
    .addEdge(START, 'classify_task')
    .addConditionalEdges('classify_task', next('ok'), {
      ok: 'route_to_agent',
      failed: 'handle_failure',
    })
    .addConditionalEdges('route_to_agent', next('ok'), {
      ok: 'execute_agent',
      failed: 'handle_failure',
    })
    .addConditionalEdges('execute_agent', next('done'), { done: END, failed: 'handle_failure' })
    .addEdge('handle_failure', END)
    .compile({ name: 'PeerAgent' });
}

export type PeerAgentGraph = ReturnType<typeof buildPeerAgentGraph>;

/**
 * Our own errors pass through with their code (an LLM timeout inside an agent stays a transient
 * LLM_TIMEOUT); anything else becomes AGENT_FAILED, transient only if a transient error caused it
 * (isRetryable).
 */
function agentFailure(err: unknown, signal: AbortSignal, agentName: string): AppError {
  if (signal.aborted) return err instanceof CancelledError ? err : new CancelledError();
  if (err instanceof AppError) return err;
  return new AgentFailedError(agentName, err, isRetryable(err));
}

function checkedOutput(output: AgentOutput, agentName: string): AgentOutput {
  const valid =
    typeof output === 'object' &&
    output !== null &&
    typeof output.raw_output === 'string' &&
    typeof output.summary === 'string' &&
    Array.isArray(output.citations) &&
    Array.isArray(output.tools_used);
  if (!valid) {
    throw new AgentFailedError(
      agentName,
      'it returned an output without raw_output, summary, citations and tools_used',
      false,
    );
  }
  return { ...output, code_language: output.code_language ?? null };
}
