import { AppError } from '../common/errors';

/** The spec's message for a refused request. */
export const RATE_LIMIT_MESSAGE = 'Too many requests. Please try again later.';

/** The spec's body exactly; when to come back is in the Retry-After header. */
export class RateLimitExceededError extends AppError {
  constructor() {
    super('RATE_LIMIT_EXCEEDED', RATE_LIMIT_MESSAGE);
  }
}

export type BudgetPeriod = 'daily' | 'monthly';

export interface BudgetExceededDetails extends Record<string, unknown> {
  spent_usd: number;
  budget_usd: number;
  period: BudgetPeriod;
  /** When the period ends and the budget is available again (ISO 8601, UTC). */
  resets_at: string;
}

export class BudgetExceededError extends AppError {
  readonly period: BudgetPeriod;

  constructor(details: BudgetExceededDetails) {
    super(
      'BUDGET_EXCEEDED',
      `This API key has spent its ${details.period} budget of ${details.budget_usd} USD; new tasks are refused until ${details.resets_at}.`,
      { details },
    );
    this.period = details.period;
  }
}

/** The rate limiter's Redis could not be used: the limiter lets the request through. */
export class RateLimitStoreUnavailableError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Rate limit store unavailable: ${reason}`, options);
    this.name = 'RateLimitStoreUnavailableError';
  }
}
