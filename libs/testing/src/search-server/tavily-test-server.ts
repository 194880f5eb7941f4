import { randomUUID } from 'node:crypto';
import type { HttpExchange } from '../llm-server/http-exchange';
import { LoopbackServer } from '../llm-server/loopback-server';
import { PendingHolds, type HoldHandle } from '../llm-server/pending-holds';
import { parseJsonOrUndefined } from '../llm-server/json-body';
import { recordArrival, type RecordedRequest } from '../llm-server/recorded-request';
import { ReplyScript, type RuleOptions, type ScriptRule } from '../llm-server/reply-script';
import { defaultAnswer, defaultSearchResults } from './default-search-results';
import type { RecordedSearchRequest } from './recorded-search-request';
import type { SearchReply, SearchReplyScript } from './search-reply';
import { searchPredicate, type SearchMatch } from './search-match';
import { parseSearchRequest } from './search-request-parser';
import { tavilyError, tavilyFaultError, type TavilyErrorResponse } from './tavily-error';
import type { TavilySearchResponse, TavilySearchResult } from './tavily-wire';

export interface TavilyTestServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Added to every call before anything is answered. */
  latencyMs?: number;
  /** When set, every call must carry `Authorization: Bearer <requireKey>` or gets a 401. */
  requireKey?: string;
  /** Answer when no queued reply or rule applies; results derived from the query otherwise. */
  defaultReply?: SearchReplyScript;
  /** Called once per request when its response is over (finished, failed or abandoned). */
  onRequestDone?: (request: RecordedRequest) => void;
}

/**
 * A Tavily-compatible HTTP server for tests, benchmarks and the demo mode: `POST /search` in
 * Tavily's wire format, close enough for the real @tavily/core client, scripted per test.
 */
export class TavilyTestServer {
  latencyMs: number;
  private readonly script: ReplyScript<RecordedSearchRequest, SearchReplyScript>;
  private readonly holds = new PendingHolds<RecordedSearchRequest>();
  private recorded: RecordedRequest[] = [];
  private seq = 0;
  private http!: LoopbackServer;

  private constructor(private readonly options: TavilyTestServerOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.script = new ReplyScript<RecordedSearchRequest, SearchReplyScript>(
      options.defaultReply ?? {},
    );
  }

  static async start(options: TavilyTestServerOptions = {}): Promise<TavilyTestServer> {
    const server = new TavilyTestServer(options);
    server.http = await LoopbackServer.listen((exchange) => server.handle(exchange), options.port);
    return server;
  }

  /** What to pass as `apiBaseURL` to `tavily()`: `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.http.origin;
  }

  get port(): number {
    return this.http.port;
  }

  get requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  searchRequests(): RecordedSearchRequest[] {
    return this.recorded.filter((r): r is RecordedSearchRequest => r.kind === 'search');
  }

  when(match: SearchMatch, reply: SearchReplyScript, options?: RuleOptions): ScriptRule {
    return this.script.when(searchPredicate(match), reply, options);
  }

  enqueue(...replies: SearchReplyScript[]): void {
    this.script.enqueue(...replies);
  }

  /** `undefined` restores the default given at start (or the derived results). */
  setDefaultReply(reply: SearchReplyScript | undefined): void {
    this.script.setDefault(reply);
  }

  holdNext(match?: SearchMatch): HoldHandle {
    return this.holds.add(match === undefined ? undefined : searchPredicate(match));
  }

  /**
   * Forgets rules, queued replies, a default set by `setDefaultReply`, holds (releasing them)
   * and recorded requests. The latency stays as it is.
   */
  reset(): void {
    this.script.reset();
    this.holds.releaseAll();
    this.recorded = [];
    this.seq = 0;
  }

  /** Resolves once every request that has arrived is answered or abandoned. */
  idle(): Promise<void> {
    return this.http.idle();
  }

  async close(): Promise<void> {
    await this.http.close();
    this.holds.releaseAll();
  }

  private async handle(exchange: HttpExchange): Promise<void> {
    const record = recordArrival(++this.seq, exchange);
    this.recorded.push(record);
    try {
      record.rawBody = await exchange.readBody();
      record.body = parseJsonOrUndefined(record.rawBody);
      await exchange.pause(this.latencyMs);
      await this.route(exchange, record);
    } catch (err) {
      if (!exchange.aborted) {
        // A throwing predicate or results function is a test bug: say so to the client.
        const message = `TavilyTestServer: ${err instanceof Error ? err.message : String(err)}`;
        if (exchange.headersSent) exchange.cut();
        else this.sendError(exchange, record, tavilyError(500, message));
      }
    } finally {
      record.aborted = exchange.clientGone;
      record.finishedAt = Date.now();
      this.options.onRequestDone?.(record);
    }
  }

  private async route(exchange: HttpExchange, record: RecordedRequest): Promise<void> {
    if (exchange.method !== 'POST' || exchange.path !== '/search') {
      // FastAPI's shape for unknown routes, which is what Tavily answers.
      record.status = 404;
      return exchange.sendJson(404, { detail: 'Not Found' });
    }
    const parsed = parseSearchRequest(record);
    const key = this.options.requireKey;
    const apiKey = 'request' in parsed ? parsed.request.apiKey : undefined;
    if (key !== undefined && record.headers.authorization !== `Bearer ${key}` && apiKey !== key) {
      return this.sendError(
        exchange,
        record,
        tavilyError(401, 'Unauthorized: missing or invalid API key.'),
      );
    }
    if ('error' in parsed) return this.sendError(exchange, record, tavilyError(400, parsed.error));

    const req = parsed.request;
    const picked = this.script.pick(req);
    req.replySource = picked.source;
    const claimed = this.holds.claim(req);
    // The script always has a default here, so a reply is always picked.
    const scripted = picked.reply ?? {};
    const reply = typeof scripted === 'function' ? scripted(req) : scripted;
    req.fault = reply.fault?.type;
    await exchange.pause(reply.delayMs ?? 0);
    if (reply.fault?.type === 'slow_first_byte') await exchange.pause(reply.fault.delayMs);

    const gates = [reply.hold, claimed?.gate].filter((g) => g !== undefined);
    if (gates.length > 0) {
      req.held = true;
      claimed?.arrive();
      await exchange.waitFor(Promise.all(gates));
    }

    const error = reply.fault ? tavilyFaultError(reply.fault) : undefined;
    if (error) return this.sendError(exchange, req, error);

    const text = JSON.stringify(this.respond(req, reply));
    req.status = 200;
    if (reply.fault?.type === 'malformed_json') {
      exchange.sendText(200, text.slice(0, Math.floor(text.length / 2)), 'application/json');
    } else if (reply.fault?.type === 'cut_stream') {
      exchange.sendTruncated(200, text, 'application/json');
    } else {
      exchange.sendText(200, text, 'application/json');
    }
  }

  private respond(req: RecordedSearchRequest, reply: SearchReply): TavilySearchResponse {
    const scripted =
      typeof reply.results === 'function'
        ? reply.results(req)
        : (reply.results ?? defaultSearchResults(req.query, req.maxResults));
    const chosen = scripted.slice(0, req.maxResults);
    const results: TavilySearchResult[] = chosen.map((r, i) => ({
      title: r.title,
      url: r.url,
      content: r.content,
      score: r.score ?? Math.max(0.05, Number((0.9 - i * 0.05).toFixed(4))),
      raw_content: req.includeRawContent ? (r.raw_content ?? `${r.title}\n\n${r.content}`) : null,
      ...(r.published_date !== undefined ? { published_date: r.published_date } : {}),
    }));
    const images =
      reply.images ??
      (req.includeImages
        ? [1, 2].map((n) => `https://images.example.com/${encodeURIComponent(req.query)}/${n}.jpg`)
        : []);
    return {
      query: req.query,
      follow_up_questions: null,
      ...(req.includeAnswer ? { answer: reply.answer ?? defaultAnswer(req.query, chosen) } : {}),
      images,
      results,
      response_time: Number(((Date.now() - req.receivedAt) / 1000).toFixed(2)),
      request_id: randomUUID(),
      ...(req.body.include_usage === true
        ? { usage: { credits: req.searchDepth === 'advanced' ? 2 : 1 } }
        : {}),
    };
  }

  private sendError(
    exchange: HttpExchange,
    record: RecordedRequest,
    failure: TavilyErrorResponse,
  ): void {
    record.status = failure.status;
    exchange.sendJson(failure.status, failure.body, failure.headers);
  }
}
