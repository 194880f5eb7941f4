import { Injectable } from '@nestjs/common';
import { addUtcDays, addUtcMonths, utcDayStart, utcMonthStart } from '../common/utc-calendar';
import { BudgetPolicy } from './budget-policy';
import { BudgetExceededError, type BudgetPeriod } from './protection.errors';
import { SpendLedger } from './spend-ledger';

const PERIODS: readonly BudgetPeriod[] = ['daily', 'monthly'];

/**
 * Refuses new tasks from a key whose spend in the current UTC day or month has reached its
 * budget. Spend is the sum of `cost.usd_estimate` of the tasks the key created in the period
 * (unknown costs count 0). A task in flight may still add to it, so spend can end above budget.
 */
@Injectable()
export class BudgetService {
  constructor(
    private readonly policy: BudgetPolicy,
    private readonly tasks: SpendLedger,
  ) {}

  async assertWithinBudget(apiKeyId: string | null, now: Date = new Date()): Promise<void> {
    const budget = this.policy.budgetOf(apiKeyId);
    if (!budget) return;
    const checks = PERIODS.flatMap((period) => {
      const limit = budget[period];
      if (limit === undefined) return [];
      const start = period === 'daily' ? utcDayStart(now) : utcMonthStart(now);
      const resetsAt = period === 'daily' ? addUtcDays(start, 1) : addUtcMonths(start, 1);
      return [
        this.tasks.spendUsd(apiKeyId, start).then((spent) => ({ period, limit, spent, resetsAt })),
      ];
    });
    for (const { period, limit, spent, resetsAt } of await Promise.all(checks)) {
      if (spent >= limit) {
        throw new BudgetExceededError({
          spent_usd: Math.round(spent * 1e6) / 1e6,
          budget_usd: limit,
          period,
          resets_at: resetsAt.toISOString(),
        });
      }
    }
  }
}
