import { SpanKind } from '@opentelemetry/api';
import type { LlmUsage, UsageRecorder } from '../../libs/agent-kit/src';
import { inSpan, setAttributes } from '../tracing/spans';
import type { AppMetrics } from './app-metrics';

export interface LlmCallInfo {
  model: string;
  role: string;
  streaming: boolean;
  /** The caller's log context: `task_id`, `agent_name`. */
  log?: Record<string, string>;
}

/** `agent_orchestrator_llm_requests_total{outcome}` values, from the error code a failed call ends with. */
const OUTCOME_BY_CODE: Record<string, string> = {
  CANCELLED: 'cancelled',
  LLM_TIMEOUT: 'timeout',
  LLM_RATE_LIMITED: 'rate_limited',
  LLM_UNAVAILABLE: 'unavailable',
  LLM_EMPTY_RESPONSE: 'empty',
  LLM_REQUEST_REJECTED: 'rejected',
  LLM_NOT_CONFIGURED: 'not_configured',
};

/**
 * Observes one LLM call, retries included: a CLIENT span `llm.chat` (task id, agent, model,
 * tokens, attempts) and the `llm_*` metrics. Tokens and cost are counted whenever the provider
 * bills them, even for an answer that is then refused (content filter). Metrics are skipped
 * where no AppMetrics exists (modules built without MetricsModule, as some tests do).
 */
export class LlmCallTelemetry {
  constructor(private readonly metrics?: AppMetrics) {}

  observe<T extends { attempts: number }>(
    call: LlmCallInfo,
    recorder: UsageRecorder | undefined,
    run: (recorder: UsageRecorder) => Promise<T>,
  ): Promise<T> {
    const started = process.hrtime.bigint();
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': call.model,
      'llm.role': call.role,
      'llm.streaming': call.streaming,
      'task.id': call.log?.task_id,
      'agent.name': call.log?.agent_name,
    };
    return inSpan('llm.chat', { kind: SpanKind.CLIENT }, async (span) => {
      setAttributes(span, attributes);
      const counting: UsageRecorder = {
        record: (usage) => {
          this.recordUsage(usage);
          span.setAttribute('gen_ai.usage.input_tokens', usage.prompt_tokens);
          span.setAttribute('gen_ai.usage.output_tokens', usage.completion_tokens);
          if (usage.cost_usd !== null) span.setAttribute('llm.cost_usd', usage.cost_usd);
          recorder?.record(usage);
        },
      };
      try {
        const result = await run(counting);
        span.setAttribute('llm.attempts', result.attempts);
        this.recordOutcome(call.model, 'success', started);
        return result;
      } catch (err) {
        this.recordOutcome(call.model, outcomeOf(err), started);
        throw err;
      }
    });
  }

  private recordUsage(usage: LlmUsage): void {
    if (!this.metrics) return;
    const model = usage.model;
    this.metrics.llmTokens.inc({ model, kind: 'prompt' }, usage.prompt_tokens);
    this.metrics.llmTokens.inc({ model, kind: 'completion' }, usage.completion_tokens);
    if (usage.cost_usd !== null) this.metrics.llmCost.inc({ model }, usage.cost_usd);
  }

  private recordOutcome(model: string, outcome: string, started: bigint): void {
    if (!this.metrics) return;
    this.metrics.llmRequests.inc({ model, outcome });
    this.metrics.llmDuration.observe({ model }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

function outcomeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && OUTCOME_BY_CODE[code]) || 'error';
}
