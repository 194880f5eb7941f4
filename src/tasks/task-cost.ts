import type { TaskUsage } from '../agents/peer-agent.types';
import type { TaskCost } from './task.record';

/** Adds one attempt's usage to a task's cost. A null USD anywhere makes the total null (unknown). */
export function addCost(cost: TaskCost, usage: TaskUsage): TaskCost {
  return {
    prompt_tokens: cost.prompt_tokens + usage.prompt_tokens,
    completion_tokens: cost.completion_tokens + usage.completion_tokens,
    total_tokens: cost.total_tokens + usage.total_tokens,
    usd_estimate:
      cost.usd_estimate === null || usage.usd_estimate === null
        ? null
        : round(cost.usd_estimate + usage.usd_estimate),
  };
}

function round(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
