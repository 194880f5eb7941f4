import type { LlmUsage, UsageRecorder } from '../../libs/agent-kit/src';
import { sumCosts } from '../llm/llm-pricing';
import type { AgentRunRecord, TaskUsage } from './peer-agent.types';

type RunIdentity = Pick<
  AgentRunRecord,
  'run_id' | 'task_id' | 'session_id' | 'agent_name' | 'agent_role' | 'input'
>;

/** Times one router call or agent execution and collects the usage of its LLM calls. */
export class RunTracker implements UsageRecorder {
  private readonly calls: LlmUsage[] = [];
  private readonly startedAt = new Date();

  /** `model` names the run's model when no call got as far as reporting one (a failed router call). */
  constructor(
    private readonly identity: RunIdentity,
    private readonly model: string | null = null,
  ) {}

  record(usage: LlmUsage): void {
    this.calls.push(usage);
  }

  finish(output: string, toolsUsed: string[] = []): AgentRunRecord {
    const finishedAt = new Date();
    const prompt = sum(this.calls.map((c) => c.prompt_tokens));
    const completion = sum(this.calls.map((c) => c.completion_tokens));
    const models = [...new Set(this.calls.map((c) => c.model))];
    return {
      ...this.identity,
      output,
      model: models.length > 0 ? models.join(', ') : this.model,
      tools_used: toolsUsed,
      started_at: this.startedAt,
      finished_at: finishedAt,
      duration_ms: finishedAt.getTime() - this.startedAt.getTime(),
      token_usage: {
        prompt,
        completion,
        total: sum(this.calls.map((c) => c.total_tokens)),
      },
      cost_usd: sumCosts(this.calls.map((c) => c.cost_usd)),
    };
  }
}

/** A task's totals over its runs; the cost is null as soon as one run's cost is unknown. */
export function taskUsage(runs: readonly AgentRunRecord[]): TaskUsage {
  return {
    prompt_tokens: sum(runs.map((r) => r.token_usage.prompt)),
    completion_tokens: sum(runs.map((r) => r.token_usage.completion)),
    total_tokens: sum(runs.map((r) => r.token_usage.total)),
    usd_estimate: sumCosts(runs.map((r) => r.cost_usd)),
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
