import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tasksConfig } from '../config';
import { RedisConnections } from '../redis/redis-connections';
import { IdempotencyConflictError } from './tasks.errors';

const PENDING = 'pending';
const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 10_000;

export type IdempotencyClaim =
  | { kind: 'new'; commit(taskId: string): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; taskId: string };

/**
 * Idempotency-Key handling for task submission. The first request with a key claims it in Redis
 * (SET NX) together with a fingerprint of its body; later ones with the same key and body replay
 * the first task, with a different body they conflict. A concurrent duplicate waits for the
 * first to finish creating its task, so exactly one task is created.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly redis: RedisConnections,
    @Inject(tasksConfig.KEY) private readonly config: ConfigType<typeof tasksConfig>,
  ) {}

  async claim(apiKeyId: string | null, key: string, body: unknown): Promise<IdempotencyClaim> {
    const redisKey = `idempotency:${apiKeyId ?? 'anonymous'}:${createHash('sha256').update(key).digest('hex')}`;
    const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const client = this.redis.commands;
    const claimed = await client.set(
      redisKey,
      `${fingerprint}:${PENDING}`,
      'EX',
      this.config.idempotencyTtlS,
      'NX',
    );
    if (claimed === 'OK') {
      return {
        kind: 'new',
        commit: async (taskId) => {
          await client.set(redisKey, `${fingerprint}:${taskId}`, 'EX', this.config.idempotencyTtlS);
        },
        release: async () => {
          await client.del(redisKey);
        },
      };
    }
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const stored = await client.get(redisKey);
      if (stored === null) return this.claim(apiKeyId, key, body); // the first attempt gave up
      const [storedFingerprint, taskId] = stored.split(':');
      if (storedFingerprint !== fingerprint) throw new IdempotencyConflictError();
      if (taskId !== PENDING) return { kind: 'replay', taskId };
      if (Date.now() > deadline) throw new IdempotencyConflictError();
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  }
}

/** JSON with object keys sorted, so the same body always has the same fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
