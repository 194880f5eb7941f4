import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SpanKind } from '@opentelemetry/api';
import { tavily, type TavilyClient } from '@tavily/core';
import { searchConfig } from '../config/namespaces';
import { inSpan } from '../tracing/spans';
import { CancelledError, WebSearchFailedError } from './llm.errors';

export interface WebSearchResult {
  title: string;
  url: string;
  snippet: string;
}

/** Tavily rejects longer queries. */
const MAX_QUERY_CHARS = 400;

/** Web search for agents (Tavily), or nothing when WEB_SEARCH_PROVIDER=none or no key is set. */
@Injectable()
export class WebSearchService {
  private readonly logger = new Logger(WebSearchService.name);
  private readonly client: TavilyClient | undefined;

  constructor(@Inject(searchConfig.KEY) private readonly cfg: ConfigType<typeof searchConfig>) {
    if (cfg.provider === 'tavily' && cfg.tavilyApiKey) {
      this.client = tavily({ apiKey: cfg.tavilyApiKey, apiBaseURL: cfg.tavilyBaseUrl });
    }
  }

  isEnabled(): boolean {
    return this.client !== undefined;
  }

  /** Why search is off, for the note an agent adds to its answer. */
  disabledReason(): string {
    return this.cfg.provider === 'none'
      ? 'web search is turned off (WEB_SEARCH_PROVIDER=none)'
      : 'no web search key is configured (TAVILY_API_KEY)';
  }

  /**
   * Results for a query, deduplicated by URL, in the provider's order. Throws
   * WebSearchFailedError on any failure (including TAVILY_TIMEOUT_MS passing) and CancelledError
   * when the signal fires.
   */
  search(query: string, signal: AbortSignal): Promise<WebSearchResult[]> {
    const attributes = {
      'search.provider': this.cfg.provider,
      'search.max_results': this.cfg.maxResults,
      'search.query_chars': query.length,
    };
    return inSpan('web_search', { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const results = await this.searchUntraced(query, signal);
      span.setAttribute('search.results', results.length);
      return results;
    });
  }

  private async searchUntraced(query: string, signal: AbortSignal): Promise<WebSearchResult[]> {
    const client = this.client;
    if (!client) throw new WebSearchFailedError(this.disabledReason());
    if (signal.aborted) throw new CancelledError('The web search');
    const timeoutMs = this.cfg.timeoutMs;
    const request = client.search(query.slice(0, MAX_QUERY_CHARS), {
      maxResults: this.cfg.maxResults,
      searchDepth: this.cfg.searchDepth,
      // The client's own timeout (seconds) stops the HTTP request; the race below stops waiting.
      timeout: timeoutMs / 1000,
    });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new WebSearchFailedError(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      onAbort = () => reject(new CancelledError('The web search'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const response = await Promise.race([request, stop]);
      return dedupeByUrl(
        response.results.map((r) => ({
          title: (r.title ?? '').trim() || r.url,
          url: r.url,
          snippet: (r.content ?? '').trim(),
        })),
      );
    } catch (err) {
      if (err instanceof CancelledError || err instanceof WebSearchFailedError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.debug({ msg: 'Web search failed', error: reason });
      throw new WebSearchFailedError(reason, err);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      // The losing request may still fail later; nobody waits for it any more.
      request.catch(() => undefined);
    }
  }
}

export function dedupeByUrl(results: WebSearchResult[]): WebSearchResult[] {
  const seen = new Set<string>();
  return results.filter((result) => {
    if (!/^https?:\/\//i.test(result.url)) return false;
    const key = normaliseUrl(result.url);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Same page: ignore the fragment, a trailing slash and the host's case. */
function normaliseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.trim();
  }
}
