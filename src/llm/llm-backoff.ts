/**
 * How long the LLM client waits between attempts. LLM_MAX_RETRIES says how many; these say how
 * long, and are a provider (LLM_BACKOFF) so tests can shrink them.
 */
export interface LlmBackoff {
  /** Wait before the first retry when the server gives no Retry-After; doubles each retry. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is cut to this: the task's own retry (in the queue) covers longer outages. */
  maxRetryAfterMs: number;
}

export const LLM_BACKOFF = Symbol('LLM_BACKOFF');

export const DEFAULT_LLM_BACKOFF: LlmBackoff = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 20_000,
};

/**
 * Delay before retry number `retry` (0-based): the server's Retry-After when it sent one
 * (capped), else exponential backoff with jitter so that workers hit by the same outage spread out.
 */
export function backoffDelayMs(
  policy: LlmBackoff,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
