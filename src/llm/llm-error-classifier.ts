import {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from 'openai';
import { AppError } from '../common/errors';
import {
  LlmRateLimitedError,
  LlmRequestRejectedError,
  LlmTimeoutError,
  LlmUnavailableError,
} from './llm.errors';

/**
 * Maps whatever the openai client (through LangChain) threw to one of our error classes, by the
 * client's error class and, where a class was lost on the way (LangChain re-wraps some errors,
 * jest runs the client in another realm), by the HTTP status it carries. Timeouts and
 * cancellation are not decided here: the caller knows whether its own timer or signal fired.
 */
export function classifyLlmError(err: unknown, model: string, timeoutMs: number): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof APIConnectionTimeoutError || nameOf(err) === 'TimeoutError') {
    return new LlmTimeoutError(model, timeoutMs, err);
  }
  if (err instanceof RateLimitError) return rateLimited(model, err);
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    return new LlmRequestRejectedError(
      model,
      `the API key was refused (${err.status}); check OPENAI_API_KEY (and OPENAI_BASE_URL).`,
      err,
      err.status,
    );
  }
  if (err instanceof NotFoundError) {
    return new LlmRequestRejectedError(
      model,
      `not found (404): the model "${model}" does not exist there, or OPENAI_BASE_URL is wrong.`,
      err,
      404,
    );
  }
  if (err instanceof BadRequestError || err instanceof UnprocessableEntityError) {
    return new LlmRequestRejectedError(model, providerMessage(err), err, err.status);
  }
  if (err instanceof ConflictError || err instanceof InternalServerError) {
    return new LlmUnavailableError(model, providerMessage(err), err, err.status);
  }
  if (err instanceof APIConnectionError) {
    return new LlmUnavailableError(model, 'the connection failed.', err);
  }
  return byStatus(err, statusOf(err), model);
}

/** Whether the server said not to retry (`x-should-retry: false`), which overrides the class. */
export function retryForbidden(err: unknown): boolean {
  return header(err, 'x-should-retry') === 'false';
}

/** The server's requested wait (`retry-after-ms`, else `Retry-After` in seconds or as a date). */
export function retryAfterMs(err: unknown): number | undefined {
  const ms = Number(header(err, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(err, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function byStatus(err: unknown, status: number | undefined, model: string): AppError {
  if (status === 429) return rateLimited(model, err);
  if (status === 408 || status === 409 || (status !== undefined && status >= 500)) {
    return new LlmUnavailableError(model, providerMessage(err), err, status);
  }
  if (status !== undefined && status >= 400) {
    return new LlmRequestRejectedError(model, providerMessage(err), err, status);
  }
  // No status: the response never arrived whole (connection dropped, body cut or not JSON).
  return new LlmUnavailableError(model, providerMessage(err), err);
}

function rateLimited(model: string, err: unknown): AppError {
  // An exhausted quota is a 429 too, but waiting does not bring the credit back.
  if (codeOf(err) === 'insufficient_quota') {
    return new LlmRequestRejectedError(model, 'the account has no quota left.', err, 429);
  }
  return new LlmRateLimitedError(model, err, retryAfterMs(err));
}

function providerMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}

function nameOf(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function header(err: unknown, name: string): string | undefined {
  const headers = (err as { headers?: unknown } | null)?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
