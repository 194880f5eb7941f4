import { Injectable, Logger } from '@nestjs/common';
import {
  Agent,
  type AgentContext,
  type AgentHandler,
  type AgentOutput,
} from '../../../libs/agent-kit/src';
import { LlmClient } from '../../llm/llm-client';
import { historyTurns } from '../history-context';
import { summarize } from '../summary';
import { codeMarkdown, parseCodeReply } from './code-reply';
import { codeSystemPrompt } from './code-prompt';

export const CODE_AGENT = 'CodeAgent';

/** Code for a task, as a description plus one fenced block, asked for as JSON. */
@Agent({
  name: CODE_AGENT,
  type: 'code',
  description:
    'Writes program code: functions, scripts, classes, algorithms, SQL queries, regular expressions, bug fixes and refactorings in any programming language, with a short explanation.',
})
@Injectable()
export class CodeAgent implements AgentHandler {
  private readonly logger = new Logger(CodeAgent.name);

  constructor(private readonly llm: LlmClient) {}

  async run(ctx: AgentContext): Promise<AgentOutput> {
    const answer = await this.llm.chat({
      role: 'code',
      messages: [
        { role: 'system', content: codeSystemPrompt() },
        ...historyTurns(ctx.history),
        { role: 'user', content: ctx.task },
      ],
      json: true,
      temperature: 0.2,
      signal: ctx.signal,
      usage: ctx.usage,
      log: { task_id: ctx.taskId, agent_name: CODE_AGENT },
    });
    const parsed = parseCodeReply(answer.text);
    if (parsed.parsedAs !== 'json') {
      this.logger.warn({
        msg: `Code reply was not the JSON asked for; used ${parsed.parsedAs === 'fence' ? 'its first code block' : 'it whole as Python'}`,
        task_id: ctx.taskId,
        agent_name: CODE_AGENT,
      });
    }
    const markdown = codeMarkdown(parsed);
    // Raw JSON is no use to a reader, so the assembled answer is sent as one piece.
    ctx.emit({ type: 'delta', text: markdown });
    this.logger.log({
      msg: 'Code written',
      task_id: ctx.taskId,
      agent_name: CODE_AGENT,
      code_language: parsed.language,
      total_tokens: answer.usage.total_tokens,
    });
    return {
      summary: summarize(parsed.description),
      raw_output: markdown,
      code_language: parsed.language,
      citations: [],
      tools_used: [],
    };
  }
}
