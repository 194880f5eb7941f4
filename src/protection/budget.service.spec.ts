import type { SpendLedger } from './spend-ledger';
import type { BudgetPolicy } from './budget-policy';
import { BudgetService } from './budget.service';
import { BudgetExceededError } from './protection.errors';

function service(budget: Record<string, number> | undefined, spend: (from: Date) => number) {
  const calls: { owner: string | null; from: Date }[] = [];
  const tasks = {
    spendUsd: (owner: string | null, from: Date) => {
      calls.push({ owner, from });
      return Promise.resolve(spend(from));
    },
  } satisfies SpendLedger;
  const policy = { budgetOf: () => budget } as unknown as BudgetPolicy;
  return { budgets: new BudgetService(policy, tasks), calls };
}

describe('BudgetService', () => {
  const now = new Date('2026-03-15T18:30:00Z');

  it('sums the spend since the start of the UTC day and of the UTC month', async () => {
    const { budgets, calls } = service({ daily: 5, monthly: 50 }, () => 1);
    await budgets.assertWithinBudget('abc', now);
    expect(calls).toEqual([
      { owner: 'abc', from: new Date('2026-03-15T00:00:00Z') },
      { owner: 'abc', from: new Date('2026-03-01T00:00:00Z') },
    ]);
  });

  it('refuses once the spend reaches the budget, saying when it resets', async () => {
    const { budgets } = service({ daily: 5, monthly: 50 }, (from) =>
      from.getUTCDate() === 1 ? 50.0000001 : 2,
    );
    const err = await budgets.assertWithinBudget('abc', now).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).details).toEqual({
      spent_usd: 50,
      budget_usd: 50,
      period: 'monthly',
      resets_at: '2026-04-01T00:00:00.000Z',
    });
  });

  it('asks nothing of the database for a key without a budget', async () => {
    const { budgets, calls } = service(undefined, () => 1000);
    await budgets.assertWithinBudget('abc', now);
    expect(calls).toEqual([]);
  });
});
