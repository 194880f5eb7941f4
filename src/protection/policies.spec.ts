import type { ConfigType } from '@nestjs/config';
import { ConfigValidationError, type protectionConfig } from '../config';
import { BudgetPolicy } from './budget-policy';
import { RateLimitPolicy } from './rate-limit-policy';

function config(overrides: Partial<ConfigType<typeof protectionConfig>> = {}) {
  return {
    rateLimitPerMinute: 60,
    rateLimitEnabled: true,
    rateLimitEnforced: true,
    rateLimitOverrides: {},
    budgets: {},
    adminApiKeys: [],
    bullBoardEnabled: false,
    ...overrides,
  };
}

describe('RateLimitPolicy', () => {
  it('gives a key its override from RATE_LIMITS_JSON, else RATE_LIMIT_PER_MINUTE', () => {
    const policy = new RateLimitPolicy(config({ rateLimitOverrides: { abc: 600 } }));
    expect(policy.limitFor('abc')).toBe(600);
    expect(policy.limitFor('other')).toBe(60);
    expect(policy.limitFor(null)).toBe(60);
  });

  it('stops the boot on an override that is not a whole number ≥ 1, naming the variable', () => {
    for (const bad of [0, 1.5, '10', null]) {
      expect(() => new RateLimitPolicy(config({ rateLimitOverrides: { abc: bad } }))).toThrow(
        ConfigValidationError,
      );
    }
    expect(() => new RateLimitPolicy(config({ rateLimitOverrides: { abc: -1 } }))).toThrow(
      /RATE_LIMITS_JSON/,
    );
  });
});

describe('BudgetPolicy', () => {
  it('uses a key’s own budget, else the "*" one, else none', () => {
    const policy = new BudgetPolicy(
      config({ budgets: { abc: { daily: 5 }, '*': { monthly: 100, daily: 10 } } }),
    );
    expect(policy.budgetOf('abc')).toEqual({ daily: 5 });
    expect(policy.budgetOf('other')).toEqual({ monthly: 100, daily: 10 });
    expect(policy.budgetOf(null)).toEqual({ monthly: 100, daily: 10 });
    expect(new BudgetPolicy(config()).budgetOf('abc')).toBeUndefined();
  });

  it('stops the boot on a budget that is not {daily?, monthly?} with positive amounts', () => {
    for (const bad of [5, {}, { daily: 0 }, { weekly: 3 }, { daily: '5' }]) {
      expect(() => new BudgetPolicy(config({ budgets: { abc: bad } }))).toThrow(/BUDGETS_JSON/);
    }
  });
});
