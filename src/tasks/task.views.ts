import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AgentRunRecord } from '../agents/peer-agent.types';
import { TASK_STATUSES, type TaskRecord, type TaskStatus } from './task.record';

export const API_VERSION = 'v1';

/* The API's response shapes (snake_case, as in the spec) and the mapping from stored records. */

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export class ExecuteTaskResponse {
  @ApiProperty({ example: 'e2f9d474-0a6b-4a3b-8df2-1e1a4f6b6c84' }) task_id!: string;
  @ApiProperty({ example: 'df4595b5-34c8-4a05-9e07-c2835c7f20ea' }) session_id!: string;
  @ApiProperty({ enum: TASK_STATUSES, example: 'queued' }) status!: TaskStatus;
  @ApiProperty({ example: '2025-12-05T12:34:56.123Z' }) queued_at!: string;
  @ApiProperty({ example: 'Task accepted and queued.' }) message!: string;
  @ApiProperty({ example: 'v1' }) api_version!: string;
}

export class TaskSummaryView {
  @ApiProperty() task_id!: string;
  @ApiProperty({ nullable: true, type: String, example: 'code' }) agent_type!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'CodeAgent' }) selected_agent!:
    string | null;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) completed_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) summary!: string | null;
}

export class CitationView {
  @ApiProperty() index!: number;
  @ApiProperty() title!: string;
  @ApiProperty() url!: string;
  @ApiProperty() snippet!: string;
  @ApiProperty({ example: 'tavily' }) source!: string;
}

export class TaskResultView {
  @ApiProperty({ nullable: true, type: String }) summary!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The full answer in markdown.' })
  raw_output!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'python' }) code_language!: string | null;
  @ApiProperty({ type: [CitationView] }) citations!: CitationView[];
}

export class TaskErrorView {
  @ApiProperty({ example: 'UNKNOWN_TASK_TYPE' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ description: 'Whether the failure was transient.' }) retryable!: boolean;
  @ApiProperty({ description: 'Attempts made.' }) attempts!: number;
}

export class TaskCostView {
  @ApiProperty() prompt_tokens!: number;
  @ApiProperty() completion_tokens!: number;
  @ApiProperty() total_tokens!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'USD; null when a model has no known price.',
  })
  usd_estimate!: number | null;
}

class TokenUsageView {
  @ApiProperty() prompt!: number;
  @ApiProperty() completion!: number;
  @ApiProperty() total!: number;
}

export class AgentRunView {
  @ApiProperty({ example: 'e2f9d474-0a6b-4a3b-8df2-1e1a4f6b6c84:router' }) run_id!: string;
  @ApiProperty() task_id!: string;
  @ApiProperty({ nullable: true, type: String }) session_id!: string | null;
  @ApiProperty({ example: 'PeerAgent' }) agent_name!: string;
  @ApiProperty({ enum: ['router', 'executor'] }) agent_role!: 'router' | 'executor';
  @ApiProperty() input!: string;
  @ApiProperty() output!: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty({ type: [String] }) tools_used!: string[];
  @ApiProperty() started_at!: string;
  @ApiProperty() finished_at!: string;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ type: TokenUsageView }) token_usage!: TokenUsageView;
  @ApiProperty({ nullable: true, type: Number }) cost_usd!: number | null;
}

export class WebhookDeliveryView {
  @ApiProperty() at!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty({ enum: ['delivered', 'failed'] }) outcome!: 'delivered' | 'failed';
  @ApiProperty({ nullable: true, type: Number }) status_code!: number | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() duration_ms!: number;
}

export class TaskDetailView {
  @ApiProperty() task_id!: string;
  @ApiProperty() session_id!: string;
  @ApiProperty() input_text!: string;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty({ nullable: true, type: String }) selected_agent!: string | null;
  @ApiProperty({ nullable: true, type: String }) agent_type!: string | null;
  @ApiProperty({ nullable: true, type: String }) peer_routing_reason!: string | null;
  @ApiProperty({ nullable: true, type: Number }) routing_confidence!: number | null;
  @ApiProperty() created_at!: string;
  @ApiProperty() queued_at!: string;
  @ApiProperty({ nullable: true, type: String }) started_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) completed_at!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) cancel_requested_at!: string | null;
  @ApiProperty({ description: 'Attempts made so far (retries after transient failures count).' })
  attempts!: number;
  @ApiProperty({ type: TaskResultView, nullable: true }) result!: TaskResultView | null;
  @ApiProperty({ type: TaskErrorView, nullable: true }) error!: TaskErrorView | null;
  @ApiProperty({ type: TaskCostView }) cost!: TaskCostView;
  @ApiProperty({ type: [AgentRunView] }) agent_runs!: AgentRunView[];
  @ApiProperty({ nullable: true, type: String }) webhook_url!: string | null;
  @ApiProperty({
    type: [WebhookDeliveryView],
    description: 'Every attempt to deliver the webhook.',
  })
  webhook_deliveries!: WebhookDeliveryView[];
  @ApiProperty({ example: 'v1' }) api_version!: string;
}

export function toExecuteResponse(task: TaskRecord): ExecuteTaskResponse {
  return {
    task_id: task.task_id,
    session_id: task.session_id,
    status: task.status,
    queued_at: iso(task.queued_at)!,
    message: 'Task accepted and queued.',
    api_version: API_VERSION,
  };
}

export function toSummaryView(task: TaskRecord): TaskSummaryView {
  return {
    task_id: task.task_id,
    agent_type: task.agent_type,
    selected_agent: task.selected_agent,
    status: task.status,
    created_at: iso(task.created_at)!,
    completed_at: iso(task.completed_at),
    summary: task.result?.summary ?? null,
  };
}

export function toAgentRunView(run: AgentRunRecord): AgentRunView {
  return {
    run_id: run.run_id,
    task_id: run.task_id,
    session_id: run.session_id,
    agent_name: run.agent_name,
    agent_role: run.agent_role,
    input: run.input,
    output: run.output,
    model: run.model,
    tools_used: run.tools_used,
    started_at: iso(run.started_at)!,
    finished_at: iso(run.finished_at)!,
    duration_ms: run.duration_ms,
    token_usage: {
      prompt: run.token_usage.prompt,
      completion: run.token_usage.completion,
      total: run.token_usage.total,
    },
    cost_usd: run.cost_usd ?? null,
  };
}

export function toDetailView(task: TaskRecord, runs: AgentRunRecord[]): TaskDetailView {
  return {
    task_id: task.task_id,
    session_id: task.session_id,
    input_text: task.input_text,
    status: task.status,
    selected_agent: task.selected_agent,
    agent_type: task.agent_type,
    peer_routing_reason: task.peer_routing_reason,
    routing_confidence: task.routing_confidence ?? null,
    created_at: iso(task.created_at)!,
    queued_at: iso(task.queued_at)!,
    started_at: iso(task.started_at),
    completed_at: iso(task.completed_at),
    cancel_requested_at: iso(task.cancel_requested_at),
    attempts: task.attempts ?? 0,
    result: task.result
      ? {
          summary: task.result.summary ?? null,
          raw_output: task.result.raw_output ?? null,
          code_language: task.result.code_language ?? null,
          citations: (task.result.citations ?? []).map((c) => ({
            index: c.index,
            title: c.title,
            url: c.url,
            snippet: c.snippet,
            source: c.source,
          })),
        }
      : null,
    // The stack stays in the database.
    error: task.error
      ? {
          code: task.error.code,
          message: task.error.message,
          retryable: task.error.retryable,
          attempts: task.error.attempts,
        }
      : null,
    cost: {
      prompt_tokens: task.cost?.prompt_tokens ?? 0,
      completion_tokens: task.cost?.completion_tokens ?? 0,
      total_tokens: task.cost?.total_tokens ?? 0,
      usd_estimate: task.cost?.usd_estimate ?? null,
    },
    agent_runs: runs.map(toAgentRunView),
    webhook_url: task.webhook_url ?? null,
    webhook_deliveries: (task.webhook_deliveries ?? []).map((d) => ({
      at: iso(d.at)!,
      attempt: d.attempt,
      outcome: d.outcome,
      status_code: d.status_code ?? null,
      error: d.error ?? null,
      duration_ms: d.duration_ms,
    })),
    api_version: API_VERSION,
  };
}
