import { Injectable, Logger } from '@nestjs/common';
import type { AgentMeta, HistoryMessage } from '../../libs/agent-kit/src';
import { AppError } from '../common/errors';
import { LlmClient, type ChatMessage } from '../llm/llm-client';
import { inSpan, markFailed, setAttributes } from '../tracing/spans';
import { RoutingReplyInvalidError } from './agents.errors';
import { historyContext } from './history-context';
import type { AgentRunRecord } from './peer-agent.types';
import { parseRoutingReply, type RoutingReply } from './routing-reply';
import { routingRepairPrompt, routingSystemPrompt } from './routing-prompt';
import { RunTracker } from './run-tracker';

export const ROUTER_AGENT_NAME = 'PeerAgent';

export interface ClassifyInput {
  taskId: string;
  sessionId: string | null;
  task: string;
  history: readonly HistoryMessage[];
  signal: AbortSignal;
}

/** The router's run, and either its decision or why there is none. */
export type ClassifyOutcome =
  { run: AgentRunRecord; reply: RoutingReply } | { run: AgentRunRecord; error: AppError };

/**
 * Asks the peer model which agent fits a task: a JSON-mode call at temperature 0, validated
 * against a schema, with one repair round for a malformed reply. It only classifies; whether the
 * decision is acceptable (known agent, enough confidence) is the graph's next step.
 */
@Injectable()
export class TaskRouter {
  private readonly logger = new Logger(TaskRouter.name);

  constructor(private readonly llm: LlmClient) {}

  /** In a `peer_agent.route` span, the parent of the router's LLM calls. */
  classify(input: ClassifyInput, agents: readonly AgentMeta[]): Promise<ClassifyOutcome> {
    const attributes = { 'task.id': input.taskId, 'agent.name': ROUTER_AGENT_NAME };
    return inSpan('peer_agent.route', { attributes }, async (span) => {
      const outcome = await this.classifyUntraced(input, agents);
      if ('reply' in outcome) {
        setAttributes(span, {
          'routing.agent_name': outcome.reply.agent_name,
          'routing.confidence': outcome.reply.confidence,
        });
      } else {
        markFailed(span, outcome.error);
      }
      return outcome;
    });
  }

  private async classifyUntraced(
    input: ClassifyInput,
    agents: readonly AgentMeta[],
  ): Promise<ClassifyOutcome> {
    const tracker = new RunTracker(
      {
        run_id: `${input.taskId}:router`,
        task_id: input.taskId,
        session_id: input.sessionId,
        agent_name: ROUTER_AGENT_NAME,
        agent_role: 'router',
        input: input.task,
      },
      this.llm.modelName('peer'),
    );
    const log = { task_id: input.taskId, agent_name: ROUTER_AGENT_NAME };
    const messages: ChatMessage[] = [
      { role: 'system', content: routingSystemPrompt(agents, historyContext(input.history)) },
      { role: 'user', content: input.task },
    ];
    const ask = async (): Promise<string> => {
      const answer = await this.llm.chat({
        role: 'peer',
        messages,
        json: true,
        temperature: 0,
        signal: input.signal,
        usage: tracker,
        log,
      });
      return answer.text;
    };
    let raw = '';
    try {
      raw = await ask();
      const first = parseRoutingReply(raw);
      if (first.ok) return { run: tracker.finish(raw), reply: first.reply };
      this.logger.warn({ ...log, msg: `Router reply invalid, asking once more: ${first.error}` });
      messages.push(
        { role: 'assistant', content: raw },
        { role: 'user', content: routingRepairPrompt(first.error) },
      );
      raw = await ask();
      const second = parseRoutingReply(raw);
      if (second.ok) return { run: tracker.finish(raw), reply: second.reply };
      return { run: tracker.finish(raw), error: new RoutingReplyInvalidError(second.error) };
    } catch (err) {
      if (err instanceof AppError) return { run: tracker.finish(raw), error: err };
      throw err;
    }
  }
}
