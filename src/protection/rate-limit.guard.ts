import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ApiKeyService } from '../auth/api-key.service';
import type { AuthenticatedRequest } from '../auth/request-auth';
import { ApiMetrics } from '../metrics/api-metrics';
import { RateLimitExceededError, RateLimitStoreUnavailableError } from './protection.errors';
import { RateLimitPolicy } from './rate-limit-policy';

/** Routes never limited: probes, scrapes and the long-lived SSE stream (by route template). */
const EXEMPT_ROUTES = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/v1/tasks/:task_id/events',
]);

/** While Redis stays away, the fail-open warning is logged at most this often. */
const WARN_EVERY_MS = 30_000;
/** Callers remembered as already logged over their limit (log-only mode), at most. */
const MAX_LOGGED_CALLERS = 10_000;

/**
 * Global rate limit (@nestjs/throttler with Redis storage): RATE_LIMIT_PER_MINUTE requests per
 * fixed minute per API key id (RATE_LIMITS_JSON overrides it per key), else per client IP.
 * Every limited response carries X-RateLimit-Limit, -Remaining and -Reset (seconds until the
 * window resets); over the limit the answer is 429 RATE_LIMIT_EXCEEDED with Retry-After, and
 * the caller stays blocked for one window. If Redis fails the request goes through (fail open).
 * In ENVIRONMENT local and test (unless RATE_LIMIT_ENABLED=true) limits are counted but not
 * enforced, as the spec says: the headers are set, and a caller going over its limit is logged
 * once per window instead of refused.
 *
 * The key id is resolved here from the X-API-Key header when the API-key guard has not run yet,
 * so the order of the global guards does not matter; an invalid key is limited by IP.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');
  private readonly keyIds = new WeakMap<object, string | null>();
  private lastWarning = 0;
  /** Log-only mode: tracker → until when its going over the limit has been logged. */
  private readonly loggedOver = new Map<string, number>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly policy: RateLimitPolicy,
    private readonly keys: ApiKeyService,
    private readonly metrics: ApiMetrics,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.policy.enabled || context.getType() !== 'http') return Promise.resolve(true);
    const route = (context.switchToHttp().getRequest<Request>().route as { path?: unknown })?.path;
    return Promise.resolve(typeof route === 'string' && EXEMPT_ROUTES.has(route));
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const req = request.context.switchToHttp().getRequest<AuthenticatedRequest>();
    const limit = this.policy.limitFor(this.keyIdOf(req));
    try {
      return await super.handleRequest({ ...request, limit });
    } catch (err) {
      if (!(err instanceof RateLimitStoreUnavailableError)) throw err;
      this.failOpen(err);
      return true;
    }
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const keyId = this.keyIdOf(req as unknown as AuthenticatedRequest);
    return keyId ? `key:${keyId}` : `ip:${await super.getTracker(req)}`;
  }

  /** One counter per caller across all routes (the default is one per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return `ratelimit:${tracker}`;
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    if (!this.policy.enforced) {
      // The guard set Retry-After for the 429 that is not coming; the X-RateLimit-* headers
      // (remaining 0) follow as for any counted request.
      res.removeHeader('Retry-After');
      this.logOverLimit(detail);
      return Promise.resolve();
    }
    res.setHeader('X-RateLimit-Limit', detail.limit);
    res.setHeader('X-RateLimit-Remaining', 0);
    res.setHeader('X-RateLimit-Reset', detail.timeToBlockExpire);
    res.setHeader('Retry-After', detail.timeToBlockExpire);
    this.metrics.rateLimited.inc({ reason: 'exceeded' });
    return Promise.reject(new RateLimitExceededError());
  }

  private logOverLimit(detail: ThrottlerLimitDetail): void {
    const now = Date.now();
    if ((this.loggedOver.get(detail.tracker) ?? 0) > now) return;
    if (this.loggedOver.size >= MAX_LOGGED_CALLERS) {
      for (const [tracker, until] of this.loggedOver)
        if (until <= now) this.loggedOver.delete(tracker);
      if (this.loggedOver.size >= MAX_LOGGED_CALLERS) this.loggedOver.clear();
    }
    this.loggedOver.set(detail.tracker, now + detail.timeToBlockExpire * 1000);
    this.metrics.rateLimited.inc({ reason: 'logged' });
    this.log.warn({
      msg: `Rate limit of ${detail.limit} requests a minute exceeded by ${detail.tracker}; not enforced in this environment (RATE_LIMIT_ENABLED=true enforces it)`,
      limit: detail.limit,
      caller: detail.tracker,
    });
  }

  private failOpen(err: RateLimitStoreUnavailableError): void {
    this.metrics.rateLimited.inc({ reason: 'fail_open' });
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.log.warn({ msg: `${err.message}; requests are let through unlimited (fail open)` });
  }

  private keyIdOf(req: AuthenticatedRequest): string | null {
    if (req.auth) return req.auth.apiKeyId;
    let keyId = this.keyIds.get(req);
    if (keyId === undefined) {
      const header = req.headers['x-api-key'];
      const presented = Array.isArray(header) ? header[0] : header;
      keyId = this.keys.enabled && presented ? (this.keys.verify(presented) ?? null) : null;
      this.keyIds.set(req, keyId);
    }
    return keyId;
  }
}
