import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  AIMessage,
  HumanMessage,
  SystemMessage,
  type AIMessageChunk,
  type BaseMessage,
  type MessageContent,
  type UsageMetadata,
} from '@langchain/core/messages';
import type { ChatOpenAI } from '@langchain/openai';
import type { LlmUsage, UsageRecorder } from '../../libs/agent-kit/src';
import type { AppError } from '../common/errors';
import { llmConfig } from '../config/namespaces';
import { AppMetrics } from '../metrics/app-metrics';
import { LlmCallTelemetry } from '../metrics/llm-call-telemetry';
import { ChatModelFactory } from './chat-model.factory';
import { classifyLlmError, retryAfterMs, retryForbidden } from './llm-error-classifier';
import { LlmPricing } from './llm-pricing';
import { LLM_BACKOFF, backoffDelayMs, type LlmBackoff } from './llm-backoff';
import type { LlmRole } from './llm-role';
import {
  CancelledError,
  LlmEmptyResponseError,
  LlmRequestRejectedError,
  LlmTimeoutError,
} from './llm.errors';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  role: LlmRole;
  messages: ChatMessage[];
  /** Ask for a JSON object (`response_format: {type: "json_object"}`); the prompt must say "JSON". */
  json?: boolean;
  temperature?: number;
  /** Aborting it ends the call with CANCELLED at once; a cancelled call is never retried. */
  signal: AbortSignal;
  /** Gets the tokens and cost of the call once it succeeds. */
  usage?: UsageRecorder;
  /** Streams the answer: called with each piece of text as it arrives. */
  onDelta?: (text: string) => void;
  /** Log context, e.g. `{ task_id, agent_name }`. */
  log?: Record<string, string>;
}

export interface ChatResult {
  text: string;
  usage: LlmUsage;
  /** 1 when the first attempt succeeded. */
  attempts: number;
}

interface AttemptOutcome {
  text: string;
  usage: UsageMetadata | undefined;
  finishReason: unknown;
}

/**
 * The one place that calls a chat model. Every call gets: a timeout per attempt (LLM_TIMEOUT_MS;
 * for a stream, the longest wait for the next chunk), bounded retries (LLM_MAX_RETRIES) of
 * transient failures with backoff that honours Retry-After, the caller's AbortSignal, and its
 * token usage and USD cost recorded. Agents call this and stay free of provider details.
 */
@Injectable()
export class LlmClient {
  private readonly logger = new Logger(LlmClient.name);
  private readonly telemetry: LlmCallTelemetry;

  constructor(
    private readonly models: ChatModelFactory,
    private readonly pricing: LlmPricing,
    @Inject(llmConfig.KEY) private readonly cfg: ConfigType<typeof llmConfig>,
    @Inject(LLM_BACKOFF) private readonly backoff: LlmBackoff,
    // Optional: modules built without MetricsModule (agent tests) still get spans, not metrics.
    @Optional() metrics?: AppMetrics,
  ) {
    this.telemetry = new LlmCallTelemetry(metrics);
  }

  isConfigured(): boolean {
    return this.models.isConfigured();
  }

  modelName(role: LlmRole): string {
    return this.models.modelName(role);
  }

  /** One call with its retries, traced as an `llm.chat` span and counted in the `llm_*` metrics. */
  chat(request: ChatRequest): Promise<ChatResult> {
    const call = {
      model: this.models.modelName(request.role),
      role: request.role,
      streaming: request.onDelta !== undefined,
      log: request.log,
    };
    return this.telemetry.observe(call, request.usage, (usage) =>
      this.chatWithRetries({ ...request, usage }),
    );
  }

  private async chatWithRetries(request: ChatRequest): Promise<ChatResult> {
    const model = this.models.chatModel(request.role, { temperature: request.temperature });
    const modelName = this.models.modelName(request.role);
    const messages = request.messages.map(toLangChain);
    for (let attempt = 1; ; attempt++) {
      if (request.signal.aborted) throw new CancelledError('The LLM call');
      const started = Date.now();
      let streamed = false;
      try {
        const outcome = await this.attempt(model, messages, request, () => (streamed = true));
        const usage = this.usageOf(modelName, outcome.usage);
        // Billed even when filtered, so recorded first.
        request.usage?.record(usage);
        if (outcome.finishReason === 'content_filter') {
          throw new LlmRequestRejectedError(
            modelName,
            'the answer was blocked by the content filter.',
          );
        }
        // Checked here so that no agent turns a blank answer into a blank result.
        if (!outcome.text.trim()) {
          throw new LlmEmptyResponseError(modelName, stringOrUndefined(outcome.finishReason));
        }
        this.logger.debug({
          msg: 'LLM call done',
          ...request.log,
          model: modelName,
          attempt,
          duration_ms: Date.now() - started,
          prompt_tokens: usage.prompt_tokens,
          completion_tokens: usage.completion_tokens,
        });
        return { text: outcome.text, usage, attempts: attempt };
      } catch (err) {
        const failure = this.classify(err, request.signal, modelName);
        // Text already streamed to the client cannot be taken back, so a broken stream is not
        // re-run here; the error stays transient and the task-level retry starts it afresh.
        const retry =
          failure.retryable && !retryForbidden(err) && !streamed && attempt <= this.cfg.maxRetries;
        if (!retry) throw failure;
        const delay = backoffDelayMs(this.backoff, attempt - 1, retryAfterMs(err));
        this.logger.warn({
          msg: `LLM call failed with ${failure.code}; retrying in ${delay} ms`,
          ...request.log,
          model: modelName,
          attempt,
          error: failure.message,
        });
        await sleep(delay, request.signal);
      }
    }
  }

  private async attempt(
    model: ChatOpenAI,
    messages: BaseMessage[],
    request: ChatRequest,
    onFirstDelta: () => void,
  ): Promise<AttemptOutcome> {
    const controller = new AbortController();
    // One timer per attempt, restarted (refresh) by each streamed chunk rather than replaced.
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), this.cfg.timeoutMs);
    const onCancel = (): void => controller.abort(request.signal.reason);
    request.signal.addEventListener('abort', onCancel, { once: true });
    const options = {
      signal: controller.signal,
      ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
    };
    try {
      if (!request.onDelta) {
        const reply = await model.invoke(messages, options);
        throwIfAborted(controller.signal);
        return {
          text: textOf(reply.content),
          usage: reply.usage_metadata,
          finishReason: reply.response_metadata?.finish_reason,
        };
      }
      let text = '';
      let started = false;
      let usage: UsageMetadata | undefined;
      let finishReason: unknown;
      const stream = await model.stream(messages, options);
      for await (const chunk of stream) {
        timer.refresh();
        const piece = textOf(chunk.content);
        text += piece;
        if (started) {
          if (piece) request.onDelta(piece);
        } else if (/\S/.test(text)) {
          // Leading whitespace waits for real text, so a blank answer streams nothing and the
          // call can still be retried here.
          started = true;
          onFirstDelta();
          request.onDelta(text);
        }
        usage = addUsage(usage, chunk);
        finishReason = chunk.response_metadata?.finish_reason ?? finishReason;
      }
      // LangChain ends an aborted stream quietly instead of throwing.
      throwIfAborted(controller.signal);
      return { text, usage, finishReason };
    } catch (err) {
      // Whatever the client made of the abort, our timer firing means a timeout.
      if (controller.signal.reason instanceof AttemptTimeout) throw controller.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onCancel);
    }
  }

  /** Our own signal and timer decide cancel and timeout: the client's error for both is ambiguous. */
  private classify(err: unknown, signal: AbortSignal, model: string): AppError {
    if (signal.aborted) return new CancelledError('The LLM call');
    if (err instanceof AttemptTimeout) return new LlmTimeoutError(model, this.cfg.timeoutMs);
    return classifyLlmError(err, model, this.cfg.timeoutMs);
  }

  private usageOf(model: string, usage: UsageMetadata | undefined): LlmUsage {
    const prompt = usage?.input_tokens ?? 0;
    const completion = usage?.output_tokens ?? 0;
    return {
      model,
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: usage?.total_tokens ?? prompt + completion,
      cost_usd: this.pricing.costUsd(model, prompt, completion),
    };
  }
}

/** The abort reason of our per-attempt timer, so a timeout is known for what it is. */
class AttemptTimeout extends Error {
  constructor() {
    super('LLM attempt timed out');
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  throw signal.reason instanceof AttemptTimeout
    ? signal.reason
    : new CancelledError('The LLM call');
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function toLangChain(message: ChatMessage): BaseMessage {
  switch (message.role) {
    case 'system':
      return new SystemMessage(message.content);
    case 'user':
      return new HumanMessage(message.content);
    case 'assistant':
      return new AIMessage(message.content);
  }
}

function textOf(content: MessageContent): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

function addUsage(
  total: UsageMetadata | undefined,
  chunk: AIMessageChunk,
): UsageMetadata | undefined {
  const usage = chunk.usage_metadata;
  if (!usage) return total;
  return {
    input_tokens: (total?.input_tokens ?? 0) + usage.input_tokens,
    output_tokens: (total?.output_tokens ?? 0) + usage.output_tokens,
    total_tokens: (total?.total_tokens ?? 0) + usage.total_tokens,
  };
}

/** Waits between attempts; a cancel during the wait ends it at once. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError('The LLM call'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('The LLM call'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
