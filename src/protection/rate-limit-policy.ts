import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ConfigValidationError, protectionConfig } from '../config';

/** The fixed window every limit counts in. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Who may make how many requests a minute: RATE_LIMIT_PER_MINUTE, or a per-key override from
 * RATE_LIMITS_JSON (by API key id). Requests without a (valid) key are limited per client IP.
 */
@Injectable()
export class RateLimitPolicy {
  /** Requests are counted and the X-RateLimit-* headers set. */
  readonly enabled: boolean;
  /** Over the limit is refused with 429; when false (local, test) it is only logged. */
  readonly enforced: boolean;
  readonly perMinute: number;
  private readonly overrides: ReadonlyMap<string, number>;

  constructor(@Inject(protectionConfig.KEY) config: ConfigType<typeof protectionConfig>) {
    this.enabled = config.rateLimitEnabled;
    this.enforced = config.rateLimitEnforced;
    this.perMinute = config.rateLimitPerMinute;
    this.overrides = parseOverrides(config.rateLimitOverrides);
  }

  limitFor(apiKeyId: string | null): number {
    return (apiKeyId !== null && this.overrides.get(apiKeyId)) || this.perMinute;
  }
}

function parseOverrides(raw: Record<string, unknown>): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const [keyId, value] of Object.entries(raw)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new ConfigValidationError(
        'RATE_LIMITS_JSON',
        `must map API key ids to whole numbers of requests per minute ≥ 1 (${JSON.stringify(keyId)} is ${JSON.stringify(value)})`,
      );
    }
    overrides.set(keyId, value);
  }
  return overrides;
}
