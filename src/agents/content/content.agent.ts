import { Injectable, Logger } from '@nestjs/common';
import {
  Agent,
  type AgentContext,
  type AgentHandler,
  type AgentOutput,
} from '../../../libs/agent-kit/src';
import { LlmClient } from '../../llm/llm-client';
import { CancelledError, WebSearchFailedError } from '../../llm/llm.errors';
import { WebSearchService, type WebSearchResult } from '../../llm/web-search.service';
import { historyTurns } from '../history-context';
import { summarize } from '../summary';
import {
  referencedSources,
  referencesSection,
  resolveCitations,
  stripReferencesSection,
} from './citations';
import { contentSystemPrompt, searchQueryFor } from './content-prompt';

export const CONTENT_AGENT = 'ContentAgent';

interface SearchOutcome {
  sources: WebSearchResult[];
  searched: boolean;
  /** Why the answer has no sources, shown to the reader; absent when it has some. */
  note?: string;
}

/**
 * Long-form markdown answers, grounded in a web search when one is configured. Citation markers
 * are checked against the real sources and the references list is built by code, so a number
 * in the text always points at a source that exists.
 */
@Agent({
  name: CONTENT_AGENT,
  type: 'content',
  description:
    'Writes long-form prose in Markdown: blog posts, articles, explanations, overviews, comparisons, summaries and research write-ups on any topic, citing web sources when available. Not for writing program code.',
})
@Injectable()
export class ContentAgent implements AgentHandler {
  private readonly logger = new Logger(ContentAgent.name);

  constructor(
    private readonly llm: LlmClient,
    private readonly search: WebSearchService,
  ) {}

  async run(ctx: AgentContext): Promise<AgentOutput> {
    const { sources, searched, note } = await this.findSources(ctx);
    const notice = note ? `> **Note:** ${note}\n\n` : '';
    if (notice) ctx.emit({ type: 'delta', text: notice });

    const answer = await this.llm.chat({
      role: 'content',
      messages: [
        { role: 'system', content: contentSystemPrompt(sources) },
        ...historyTurns(ctx.history),
        { role: 'user', content: ctx.task },
      ],
      signal: ctx.signal,
      usage: ctx.usage,
      onDelta: (text) => ctx.emit({ type: 'delta', text }),
      log: { task_id: ctx.taskId, agent_name: CONTENT_AGENT },
    });

    // The model's own references section (with or without markers) always gives way to the one
    // built here from the real sources.
    const resolved = resolveCitations(stripReferencesSection(answer.text), sources);
    const { body } = resolved;
    const citations = referencedSources(resolved, sources);
    const references = referencesSection(citations);
    if (references) ctx.emit({ type: 'delta', text: `\n\n${references}` });
    const raw_output = `${notice}${body.trim()}${references ? `\n\n${references}` : ''}`;
    return {
      summary: summarize(body),
      raw_output,
      code_language: null,
      citations,
      tools_used: searched ? ['web_search'] : [],
    };
  }

  private async findSources(ctx: AgentContext): Promise<SearchOutcome> {
    if (!this.search.isEnabled()) {
      return {
        sources: [],
        searched: false,
        note: `Written without web search: ${this.search.disabledReason()}, so no sources are cited.`,
      };
    }
    const query = searchQueryFor(ctx.task);
    ctx.emit({ type: 'progress', message: 'Searching the web', data: { query } });
    try {
      const sources = await this.search.search(query, ctx.signal);
      ctx.emit({ type: 'progress', message: `Found ${sources.length} sources` });
      if (sources.length === 0) {
        return {
          sources,
          searched: true,
          note: 'The web search found nothing, so no sources are cited.',
        };
      }
      return { sources, searched: true };
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const reason = err instanceof WebSearchFailedError ? err.message : String(err);
      this.logger.warn({
        msg: `Writing without sources: ${reason}`,
        task_id: ctx.taskId,
        agent_name: CONTENT_AGENT,
      });
      return {
        sources: [],
        searched: false,
        note: 'The web search failed, so this answer was written without sources and cites none.',
      };
    }
  }
}
