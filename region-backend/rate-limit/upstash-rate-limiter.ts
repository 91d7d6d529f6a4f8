import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import { RATE_LIMIT_PREFIX, rateLimitCacheKey } from '../../shared/rate-limit.ts';
import type { RateLimitDecision, TenantRateLimiter } from './sliding-window-limiter.ts';

/**
 * Per-tenant sliding windows in global Redis, the same counters the edge uses. If Redis does
 * not answer, the request is allowed (rate limits fail open; auth does not).
 */
export class UpstashRateLimiter implements TenantRateLimiter {
  private readonly limiters = new Map<string, Ratelimit>();

  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs = 300,
  ) {}

  async check(
    tenant: string,
    limit: { requests: number; window_seconds: number },
  ): Promise<RateLimitDecision> {
    const key = rateLimitCacheKey(limit.requests, limit.window_seconds);
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.slidingWindow(limit.requests, `${limit.window_seconds} s`),
        prefix: `${RATE_LIMIT_PREFIX}:${key}`,
        timeout: this.timeoutMs,
        analytics: false,
      });
      this.limiters.set(key, limiter);
    }
    const r = await limiter.limit(tenant);
    return { allowed: r.success, limit: r.limit, remaining: r.remaining, reset: r.reset };
  }
}
