import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { z } from 'zod';
import { ConfigValidationError, protectionConfig } from '../config';
import type { BudgetPeriod } from './protection.errors';

/** A key's USD budgets; a key may have a daily one, a monthly one, or both. */
export type Budget = Partial<Record<BudgetPeriod, number>>;

/** The entry that applies to every key without one of its own (and to callers without a key). */
export const ANY_KEY = '*';

const budgetSchema = z
  .object({ daily: z.number().positive().optional(), monthly: z.number().positive().optional() })
  .strict()
  .refine((budget) => budget.daily !== undefined || budget.monthly !== undefined);

/** BUDGETS_JSON, checked at boot: `{"<api key id>": {"daily": 5}, "*": {"monthly": 100}}`. */
@Injectable()
export class BudgetPolicy {
  private readonly budgets: ReadonlyMap<string, Budget>;

  constructor(@Inject(protectionConfig.KEY) config: ConfigType<typeof protectionConfig>) {
    this.budgets = parseBudgets(config.budgets);
  }

  /** The budget of a key id (null: auth disabled): its own entry, else "*", else none. */
  budgetOf(apiKeyId: string | null): Budget | undefined {
    return (
      (apiKeyId !== null ? this.budgets.get(apiKeyId) : undefined) ?? this.budgets.get(ANY_KEY)
    );
  }
}

function parseBudgets(raw: Record<string, unknown>): Map<string, Budget> {
  const budgets = new Map<string, Budget>();
  for (const [keyId, value] of Object.entries(raw)) {
    const parsed = budgetSchema.safeParse(value);
    if (!parsed.success) {
      throw new ConfigValidationError(
        'BUDGETS_JSON',
        `must map API key ids (or "*") to {"daily": usd} and/or {"monthly": usd} with positive amounts (${JSON.stringify(keyId)} is ${JSON.stringify(value)})`,
      );
    }
    budgets.set(keyId, parsed.data);
  }
  return budgets;
}
