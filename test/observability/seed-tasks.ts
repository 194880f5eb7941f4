import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';

export interface SeedTask {
  status?: 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
  agent?: string | null;
  createdAt: Date;
  /** Milliseconds from creation to the final state (final statuses only). */
  latencyMs?: number;
  apiKeyId?: string | null;
  cost?: Partial<{
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    usd_estimate: number | null;
  }>;
}

/** A task document as the service stores it, written straight into the test database. */
export function taskDocument(seed: SeedTask): Record<string, unknown> {
  const status = seed.status ?? 'completed';
  const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
  const completedAt = finished
    ? new Date(seed.createdAt.getTime() + (seed.latencyMs ?? 1000))
    : null;
  const agent = seed.agent === undefined ? null : seed.agent;
  const prompt = seed.cost?.prompt_tokens ?? 0;
  const completion = seed.cost?.completion_tokens ?? 0;
  return {
    task_id: randomUUID(),
    session_id: randomUUID(),
    input_text: 'seeded task',
    status,
    requested_agent: null,
    selected_agent: agent,
    agent_type: agent === 'CodeAgent' ? 'code' : agent === 'ContentAgent' ? 'content' : null,
    peer_routing_reason: agent ? 'seeded' : null,
    routing_confidence: agent ? 0.9 : null,
    created_at: seed.createdAt,
    updated_at: completedAt ?? seed.createdAt,
    queued_at: seed.createdAt,
    started_at: status === 'queued' ? null : seed.createdAt,
    completed_at: completedAt,
    cancel_requested_at: null,
    attempts: status === 'queued' ? 0 : 1,
    requeues: 0,
    result: null,
    error:
      status === 'failed'
        ? { code: 'AGENT_FAILED', message: 'seeded', retryable: false, attempts: 1 }
        : null,
    cost: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: seed.cost?.total_tokens ?? prompt + completion,
      usd_estimate: seed.cost?.usd_estimate === undefined ? 0 : seed.cost.usd_estimate,
    },
    metadata: {
      ip: '127.0.0.1',
      user_agent: 'seed',
      request_id: null,
      api_key_id: seed.apiKeyId ?? null,
    },
    webhook_url: null,
    webhook_deliveries: [],
  };
}

export async function seedTasks(db: Connection, seeds: SeedTask[]): Promise<string[]> {
  const docs = seeds.map(taskDocument);
  await db.collection('tasks').insertMany(docs);
  return docs.map((d) => d.task_id as string);
}

/** The start of the current UTC day plus `ms` (seeded "today" stays inside today). */
export function todayAt(ms: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + ms);
}

export const MINUTE = 60_000;
export const DAY = 24 * 3600 * 1000;
