import type { OutgoingHttpHeaders } from 'node:http';
import { buildChunks, buildCompletion, type ResolvedCompletion } from './chat-completion-builder';
import { chatPredicate, type ChatMatch } from './chat-match';
import type { ChatReply, ChatReplyScript } from './chat-reply';
import { parseChatRequest } from './chat-request-parser';
import type { WireToolCall } from './chat-wire';
import type { HttpExchange } from './http-exchange';
import { LoopbackServer } from './loopback-server';
import {
  faultError,
  invalidApiKey,
  openAiError,
  scriptError,
  type ErrorResponse,
} from './openai-error';
import { PendingHolds, type HoldHandle } from './pending-holds';
import type { RecordedChatRequest } from './recorded-chat-request';
import { parseJsonOrUndefined } from './json-body';
import { recordArrival, type RecordedRequest } from './recorded-request';
import { ReplyScript, type RuleOptions, type ScriptRule } from './reply-script';
import { estimateUsage } from './usage-estimate';
import { chatCompletionId, openAiRequestId, toolCallId } from './wire-ids';

export const DEFAULT_OPENAI_TEST_MODELS = ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini'];

export interface OpenAiTestServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Added to every call before anything is answered. */
  latencyMs?: number;
  /** What `GET /v1/models` lists. Chat requests for other models are still answered. */
  models?: string[];
  /** When set, every call must carry `Authorization: Bearer <requireKey>` or gets a 401. */
  requireKey?: string;
  /** Answer when no queued reply or rule applies; without it such a request gets a loud 500. */
  defaultReply?: ChatReplyScript;
  /** Called once per request when its response is over (finished, failed or abandoned). */
  onRequestDone?: (request: RecordedRequest) => void;
}

interface ActiveHold {
  gate: Promise<unknown>;
  arrive(): void;
}

/**
 * An OpenAI-compatible HTTP server for tests, benchmarks and the demo mode. It speaks the Chat
 * Completions wire format (JSON and SSE) closely enough for the real `openai` and
 * `@langchain/openai` clients, answers from a per-test script and records every request.
 */
export class OpenAiTestServer {
  latencyMs: number;
  private readonly script: ReplyScript<RecordedChatRequest, ChatReplyScript>;
  private readonly holds = new PendingHolds<RecordedChatRequest>();
  private readonly models: string[];
  private recorded: RecordedRequest[] = [];
  private seq = 0;
  private http!: LoopbackServer;

  private constructor(private readonly options: OpenAiTestServerOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.models = options.models ?? DEFAULT_OPENAI_TEST_MODELS;
    this.script = new ReplyScript<RecordedChatRequest, ChatReplyScript>(options.defaultReply);
  }

  static async start(options: OpenAiTestServerOptions = {}): Promise<OpenAiTestServer> {
    const server = new OpenAiTestServer(options);
    server.http = await LoopbackServer.listen((exchange) => server.handle(exchange), options.port);
    return server;
  }

  /** The base URL for clients, `http://127.0.0.1:<port>/v1`. */
  get url(): string {
    return `${this.http.origin}/v1`;
  }

  get port(): number {
    return this.http.port;
  }

  /** Every request since start or the last reset, in arrival order. */
  get requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  chatRequests(): RecordedChatRequest[] {
    return this.recorded.filter((r): r is RecordedChatRequest => r.kind === 'chat');
  }

  lastChatRequest(): RecordedChatRequest | undefined {
    return this.chatRequests().at(-1);
  }

  /** Answers matching requests with `reply`; the newest matching rule wins. */
  when(match: ChatMatch, reply: ChatReplyScript, options?: RuleOptions): ScriptRule {
    return this.script.when(chatPredicate(match), reply, options);
  }

  /** Replies for the next requests, one each in order, before any rule is consulted. */
  enqueue(...replies: ChatReplyScript[]): void {
    this.script.enqueue(...replies);
  }

  /** `undefined` restores the default given at start (or the loud 500). */
  setDefaultReply(reply: ChatReplyScript | undefined): void {
    this.script.setDefault(reply);
  }

  /** Holds the next matching request, whatever reply it gets, until `release()`. */
  holdNext(match?: ChatMatch): HoldHandle {
    return this.holds.add(match === undefined ? undefined : chatPredicate(match));
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
        // A throwing predicate or content function is a test bug: say so to the client.
        const failure = scriptError(`OpenAiTestServer: ${errorMessage(err)}`);
        if (exchange.headersSent) exchange.cut();
        else this.sendError(exchange, record, failure);
      }
    } finally {
      record.aborted = exchange.clientGone;
      record.finishedAt = Date.now();
      this.options.onRequestDone?.(record);
    }
  }

  private async route(exchange: HttpExchange, record: RecordedRequest): Promise<void> {
    const { method, path } = exchange;
    const keyProblem = this.checkKey(record);
    if (keyProblem) return this.sendError(exchange, record, keyProblem);

    if (method === 'GET' && path === '/v1/models') {
      record.kind = 'models';
      return this.send(exchange, record, 200, {
        object: 'list',
        data: this.models.map((id) => modelObject(id)),
      });
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      record.kind = 'models';
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (this.models.includes(id)) return this.send(exchange, record, 200, modelObject(id));
      return this.sendError(
        exchange,
        record,
        openAiError(
          404,
          `The model '${id}' does not exist`,
          'invalid_request_error',
          'model_not_found',
        ),
      );
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      return this.chat(exchange, record);
    }
    return this.sendError(
      exchange,
      record,
      openAiError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error'),
    );
  }

  private checkKey(record: RecordedRequest): ErrorResponse | undefined {
    const key = this.options.requireKey;
    if (key === undefined) return undefined;
    const header = record.headers.authorization;
    if (header === `Bearer ${key}`) return undefined;
    if (!header) {
      return openAiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        'invalid_request_error',
      );
    }
    return invalidApiKey();
  }

  private async chat(exchange: HttpExchange, record: RecordedRequest): Promise<void> {
    const parsed = parseChatRequest(record);
    if ('error' in parsed) {
      const failure = openAiError(400, parsed.error, 'invalid_request_error');
      failure.body.error.param = parsed.param ?? null;
      return this.sendError(exchange, record, failure);
    }
    const req = parsed.request;
    const picked = this.script.pick(req);
    req.replySource = picked.source;
    const claimed = this.holds.claim(req);
    const reply = typeof picked.reply === 'function' ? picked.reply(req) : picked.reply;
    const gates = [reply?.hold, claimed?.gate].filter((g) => g !== undefined);
    const hold: ActiveHold | undefined =
      gates.length > 0 ? { gate: Promise.all(gates), arrive: () => claimed?.arrive() } : undefined;

    if (!reply) {
      await this.waitOnHold(exchange, req, hold);
      return this.sendError(exchange, req, scriptError(unscriptedMessage(req)));
    }
    req.fault = reply.fault?.type;
    await exchange.pause(reply.delayMs ?? 0);
    if (reply.fault?.type === 'slow_first_byte') await exchange.pause(reply.fault.delayMs);

    const error = reply.fault ? faultError(reply.fault, req.model) : undefined;
    const resolved = error ?? this.resolve(req, reply);
    if ('status' in resolved) {
      await this.waitOnHold(exchange, req, hold);
      return this.sendError(exchange, req, resolved);
    }
    if (req.stream) await this.stream(exchange, req, reply, resolved, hold);
    else await this.complete(exchange, req, reply, resolved, hold);
  }

  private resolve(req: RecordedChatRequest, reply: ChatReply): ResolvedCompletion | ErrorResponse {
    const scripted = reply.toolCalls ?? [];
    if (scripted.length > 0) {
      const declared = new Set(req.tools.map((t) => t.function?.name));
      if (declared.size === 0) {
        return scriptError(
          'OpenAiTestServer: the scripted reply has toolCalls but the request declared no tools',
        );
      }
      const unknown = scripted.find((c) => !declared.has(c.name));
      if (unknown) {
        return scriptError(
          `OpenAiTestServer: the scripted tool call "${unknown.name}" is not among the request's tools (${[...declared].join(', ')})`,
        );
      }
    }
    const toolCalls: WireToolCall[] = scripted.map((call) => ({
      id: call.id ?? toolCallId(),
      type: 'function',
      function: {
        name: call.name,
        arguments:
          typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    const text = typeof reply.content === 'function' ? reply.content(req) : reply.content;
    const content = text ?? (toolCalls.length > 0 ? null : '');
    return {
      id: chatCompletionId(),
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      content,
      toolCalls,
      usage: estimateUsage(req, content, toolCalls, reply.usage),
      includeUsage: req.includeUsage,
    };
  }

  private async complete(
    exchange: HttpExchange,
    req: RecordedChatRequest,
    reply: ChatReply,
    resolved: ResolvedCompletion,
    hold: ActiveHold | undefined,
  ): Promise<void> {
    await this.waitOnHold(exchange, req, hold);
    const text = JSON.stringify(buildCompletion(resolved));
    const headers = this.responseHeaders(req);
    req.status = 200;
    if (reply.fault?.type === 'malformed_json') {
      exchange.sendText(
        200,
        text.slice(0, Math.floor(text.length / 2)),
        'application/json',
        headers,
      );
    } else if (reply.fault?.type === 'cut_stream') {
      exchange.sendTruncated(200, text, 'application/json', headers);
    } else {
      exchange.sendText(200, text, 'application/json', headers);
    }
  }

  private async stream(
    exchange: HttpExchange,
    req: RecordedChatRequest,
    reply: ChatReply,
    resolved: ResolvedCompletion,
    hold: ActiveHold | undefined,
  ): Promise<void> {
    const events = buildChunks(resolved).map((chunk) => JSON.stringify(chunk));
    const cutAfter = reply.fault?.type === 'cut_stream' ? reply.fault.afterChunks : Infinity;
    // The role chunk and the first piece(s) of content go out before a hold, as a client
    // watching a live stream would have seen them.
    const holdBefore = Math.min(1 + (reply.holdAfterChunks ?? 1), events.length - 1);
    exchange.startEventStream(this.responseHeaders(req));
    req.status = 200;
    for (let i = 0; i < events.length; i++) {
      if (i >= cutAfter) return exchange.cut();
      if (i === holdBefore) await this.waitOnHold(exchange, req, hold);
      if (i > 0) await exchange.pause(reply.chunkDelayMs ?? 0);
      await exchange.writeEvent(events[i]);
      if (i === 0 && reply.fault?.type === 'malformed_json') {
        await exchange.writeEvent(
          `{"id":"${resolved.id}","object":"chat.completion.chunk","choices":[{"delta":{"content":`,
        );
        break;
      }
    }
    if (events.length >= cutAfter) return exchange.cut();
    await exchange.writeEvent('[DONE]');
    exchange.end();
  }

  private async waitOnHold(
    exchange: HttpExchange,
    req: RecordedChatRequest,
    hold: ActiveHold | undefined,
  ): Promise<void> {
    if (!hold) return;
    req.held = true;
    hold.arrive();
    await exchange.waitFor(hold.gate);
  }

  private responseHeaders(record: RecordedRequest): OutgoingHttpHeaders {
    return {
      'x-request-id': openAiRequestId(),
      'openai-processing-ms': String(Date.now() - record.receivedAt),
      'openai-version': '2020-10-01',
    };
  }

  private send(
    exchange: HttpExchange,
    record: RecordedRequest,
    status: number,
    body: unknown,
  ): void {
    record.status = status;
    exchange.sendJson(status, body, this.responseHeaders(record));
  }

  private sendError(exchange: HttpExchange, record: RecordedRequest, failure: ErrorResponse): void {
    record.status = failure.status;
    exchange.sendJson(failure.status, failure.body, {
      ...this.responseHeaders(record),
      ...failure.headers,
    });
  }
}

function modelObject(id: string): {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
} {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'system' };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function unscriptedMessage(req: RecordedChatRequest): string {
  const lastUser =
    req.lastUserText.length > 120 ? `${req.lastUserText.slice(0, 117)}...` : req.lastUserText;
  return (
    `OpenAiTestServer: no scripted reply matched this request (model ${req.model}, last user message ` +
    `${JSON.stringify(lastUser)}). Script one with server.when(), server.enqueue() or server.setDefaultReply().`
  );
}
