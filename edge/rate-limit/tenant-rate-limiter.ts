import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import type { ApiKeyRecord } from '../../shared/api-keys.ts';
import { RATE_LIMIT_PREFIX, rateLimitCacheKey } from '../../shared/rate-limit.ts';

export type RateLimitPolicy = ApiKeyRecord['rate_limit'];

/** The outcome of one check, with what the RateLimit headers need. */
export interface RateLimitDecision {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix ms when the window has room again. */
  reset: number;
  /** Work @upstash/ratelimit finishes after answering; hand it to `waitUntil`. */
  pending: Promise<unknown>;
}

/**
 * Per-tenant sliding windows with @upstash/ratelimit, shared with the regional direct
 * endpoints so a tenant cannot double its limit by going around the edge. One limiter per policy (keys carry their
 * own limits); every limiter shares one ephemeral cache so a tenant already over its limit
 * is refused in the isolate without a Redis round trip.
 */
export class TenantRateLimiter {
  readonly #redis: Redis;
  readonly #limiters = new Map<string, Ratelimit>();
  readonly #blocked = new Map<string, number>();
  readonly #timeoutMs: number;

  constructor(redis: Redis, timeoutMs = 1_000) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
  }

  async limit(tenant: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    const id = rateLimitCacheKey(policy.requests, policy.window_seconds);
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.#redis,
        limiter: Ratelimit.slidingWindow(policy.requests, `${policy.window_seconds} s`),
        // The same counters as the regions' direct endpoints (shared/rate-limit.ts).
        prefix: `${RATE_LIMIT_PREFIX}:${id}`,
        ephemeralCache: this.#blocked,
        analytics: false,
        // A slow Redis lets the request through rather than failing it (the regions still
        // protect themselves with queue limits).
        timeout: this.#timeoutMs,
      });
      this.#limiters.set(id, limiter);
    }
    const r = await limiter.limit(tenant);
    return {
      success: r.success,
      limit: r.limit,
      remaining: r.remaining,
      reset: r.reset,
      pending: r.pending,
    };
  }
}
