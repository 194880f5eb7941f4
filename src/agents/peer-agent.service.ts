import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { llmConfig } from '../config/namespaces';
import { AgentRegistry } from './agent-registry';
import { AgentFailedError } from './agents.errors';
import { PeerAgentFailure } from './peer-agent-failure';
import { buildPeerAgentGraph, scopeConfig, type PeerAgentGraph } from './peer-agent.graph';
import type { PeerAgentEvent, PeerAgentInput, PeerAgentResult } from './peer-agent.types';
import { taskUsage } from './run-tracker';
import { TaskRouter } from './task-router';

/**
 * Runs one task through the Peer Agent graph: classify, check the decision, execute the agent.
 * Resolves with the output, routing, run records and usage; rejects only with PeerAgentFailure.
 */
@Injectable()
export class PeerAgentService {
  private readonly logger = new Logger(PeerAgentService.name);
  private readonly graph: PeerAgentGraph;

  constructor(
    registry: AgentRegistry,
    router: TaskRouter,
    @Inject(llmConfig.KEY) cfg: ConfigType<typeof llmConfig>,
  ) {
    this.graph = buildPeerAgentGraph({
      registry,
      router,
      minConfidence: cfg.routerMinConfidence,
    });
  }

  async run(input: PeerAgentInput): Promise<PeerAgentResult> {
    const emit = this.safeEmit(input);
    const task = {
      taskId: input.taskId,
      sessionId: input.sessionId,
      task: input.task,
      history: input.history,
      agentHint: input.agentHint,
    };
    let state;
    try {
      state = await this.graph.invoke({ task }, scopeConfig({ signal: input.signal, emit }));
    } catch (err) {
      // Nodes put their failures in the state; reaching here is a bug in the graph itself.
      this.logger.error({ msg: 'Peer Agent graph crashed', task_id: input.taskId, err });
      const usage = taskUsage([]);
      throw new PeerAgentFailure(new AgentFailedError('PeerAgent', err, false), [], usage);
    }
    const usage = taskUsage(state.runs);
    emit({ type: 'usage', usage });
    if (state.failure || !state.output || !state.routing) {
      const cause = state.failure ?? new AgentFailedError('PeerAgent', 'no output', false);
      throw new PeerAgentFailure(cause, state.runs, usage, state.routing ?? undefined);
    }
    return { output: state.output, routing: state.routing, runs: state.runs, usage };
  }

  /** A throwing event sink must not fail the task it reports on. */
  private safeEmit(input: PeerAgentInput): (event: PeerAgentEvent) => void {
    return (event) => {
      try {
        input.emit(event);
      } catch (err) {
        this.logger.warn({
          msg: `Event ${event.type} could not be delivered`,
          task_id: input.taskId,
          err,
        });
      }
    };
  }
}
