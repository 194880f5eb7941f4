import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/request-auth';
import { BudgetService } from './budget.service';

/**
 * On routes that create billable work (POST /v1/agent/execute): 402 BUDGET_EXCEEDED once the
 * caller's key has spent its budget. Runs after the global guards, so the key id is known.
 */
@Injectable()
export class BudgetGuard implements CanActivate {
  constructor(private readonly budgets: BudgetService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    await this.budgets.assertWithinBudget(req.auth?.apiKeyId ?? null);
    return true;
  }
}
