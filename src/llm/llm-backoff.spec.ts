import { backoffDelayMs, type LlmBackoff } from './llm-backoff';

const policy: LlmBackoff = { initialDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('backoffDelayMs', () => {
  it('doubles the ceiling each retry, with jitter between half of it and all of it', () => {
    expect([0, 1, 2].map((retry) => backoffDelayMs(policy, retry, undefined, () => 0))).toEqual([
      50, 100, 200,
    ]);
    expect([0, 1, 2].map((retry) => backoffDelayMs(policy, retry, undefined, () => 1))).toEqual([
      100, 200, 400,
    ]);
  });

  it('never waits longer than maxDelayMs without a Retry-After', () => {
    expect(backoffDelayMs(policy, 10, undefined, () => 1)).toBe(1_000);
  });

  it('waits exactly what Retry-After asks, up to maxRetryAfterMs', () => {
    expect(backoffDelayMs(policy, 0, 3_000)).toBe(3_000);
    expect(backoffDelayMs(policy, 0, 60_000)).toBe(5_000);
    expect(backoffDelayMs(policy, 0, 0)).toBe(0);
  });
});
