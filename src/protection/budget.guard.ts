import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/request-auth';
import { ApiMetrics } from '../metrics/api-metrics';
import { BudgetService } from './budget.service';
import { BudgetExceededError } from './protection.errors';

/**
 * On routes that create billable work (POST /v1/agent/execute): 402 BUDGET_EXCEEDED once the
 * caller's key has spent its budget. Runs after the global guards, so the key id is known.
 */
@Injectable()
export class BudgetGuard implements CanActivate {
  constructor(
    private readonly budgets: BudgetService,
    private readonly metrics: ApiMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const apiKeyId = req.auth?.apiKeyId ?? null;
    try {
      await this.budgets.assertWithinBudget(apiKeyId);
    } catch (err) {
      if (err instanceof BudgetExceededError) {
        this.metrics.budgetRefusals.inc({ api_key_id: apiKeyId ?? 'none', period: err.period });
      }
      throw err;
    }
    return true;
  }
}
