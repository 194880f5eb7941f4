import { AppError } from '../common/errors';

/*
 * Failures of model and web-search calls. Transient ones (retryable: true) may succeed if the
 * same call is made again later; the worker retries a task only for those.
 */

/** Neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: no call can be made until one is. */
export class LlmNotConfiguredError extends AppError {
  constructor() {
    super(
      'LLM_NOT_CONFIGURED',
      'No LLM is configured. Set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL for an OpenAI-compatible ' +
        'server (Azure OpenAI, Ollama, vLLM, LiteLLM), or run `npm run dev:llm` for a local scripted one.',
    );
  }
}

/** 429 from the provider after every retry. */
export class LlmRateLimitedError extends AppError {
  constructor(model: string, cause: unknown, retryAfterMs?: number) {
    super('LLM_RATE_LIMITED', `The LLM provider rate-limited calls to ${model}.`, {
      retryable: true,
      cause,
      details: retryAfterMs === undefined ? { model } : { model, retry_after_ms: retryAfterMs },
    });
  }
}

/** No complete answer within LLM_TIMEOUT_MS (for streams: no chunk within it). */
export class LlmTimeoutError extends AppError {
  constructor(model: string, timeoutMs: number, cause?: unknown) {
    super('LLM_TIMEOUT', `The call to ${model} timed out after ${timeoutMs} ms.`, {
      retryable: true,
      cause,
      details: { model, timeout_ms: timeoutMs },
    });
  }
}

/** 5xx, a dropped connection or a broken response: the provider could not answer this time. */
export class LlmUnavailableError extends AppError {
  constructor(model: string, reason: string, cause: unknown, status?: number) {
    super('LLM_UNAVAILABLE', `The LLM provider did not answer the call to ${model}: ${reason}`, {
      retryable: true,
      cause,
      details: status === undefined ? { model } : { model, status },
    });
  }
}

/**
 * The provider answered 200 with no text (empty or only whitespace). Nothing can be made of it,
 * but the same call usually answers properly next time, so it is transient rather than an
 * empty result.
 */
export class LlmEmptyResponseError extends AppError {
  constructor(model: string, finishReason?: string) {
    super('LLM_EMPTY_RESPONSE', `The LLM provider sent an empty answer to the call to ${model}.`, {
      retryable: true,
      details: finishReason === undefined ? { model } : { model, finish_reason: finishReason },
    });
  }
}

/**
 * The provider refused the request itself (400, 401/403, 404 unknown model, content filter,
 * exhausted quota): sending it again cannot succeed.
 */
export class LlmRequestRejectedError extends AppError {
  constructor(model: string, reason: string, cause?: unknown, status?: number) {
    super('LLM_REQUEST_REJECTED', `The LLM provider rejected the call to ${model}: ${reason}`, {
      retryable: false,
      cause,
      details: status === undefined ? { model } : { model, status },
    });
  }
}

/** The caller's AbortSignal fired (task cancelled); never retried. */
export class CancelledError extends AppError {
  constructor(what = 'The task') {
    super('CANCELLED', `${what} was cancelled.`, { retryable: false });
  }
}

/**
 * A web search failed (HTTP error, timeout, bad response). Agents that search treat this as
 * "write without search" rather than failing the task, so it rarely reaches the pipeline.
 */
export class WebSearchFailedError extends AppError {
  constructor(reason: string, cause?: unknown) {
    super('SERVICE_UNAVAILABLE', `Web search failed: ${reason}`, { retryable: true, cause });
  }
}
