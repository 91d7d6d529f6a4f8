import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../../shared/problem.ts';
import type { EdgeEnv } from '../env.ts';
import type { TenantRateLimiter } from '../rate-limit/tenant-rate-limiter.ts';
import { waitUntilOf } from '../wait-until.ts';

/**
 * Per-tenant rate limit with the key's own policy. Every answer carries the RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers); over the limit it is 429 with Retry-After.
 */
export function tenantRateLimit(limiter: TenantRateLimiter): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    // c.get, not c.var: Hono builds a new object of all variables on every c.var read.
    const { tenant, rateLimit } = c.get('caller');
    const waitUntil = waitUntilOf(c);
    const d = await limiter.limit(tenant, rateLimit, waitUntil);
    if (d.pending) waitUntil?.(d.pending);
    const resetSeconds = Math.max(0, Math.ceil((d.reset - Date.now()) / 1000));
    const headers = {
      'ratelimit-limit': String(d.limit),
      'ratelimit-remaining': String(Math.max(0, d.remaining)),
      'ratelimit-reset': String(resetSeconds),
      'ratelimit-policy': `${rateLimit.requests};w=${rateLimit.window_seconds}`,
    };
    if (!d.success) {
      const retryAfter = Math.max(1, resetSeconds);
      throw new ProblemError(
        'rateLimited',
        `over ${rateLimit.requests} requests per ${rateLimit.window_seconds} s for this tenant; retry in ${retryAfter} s`,
        { extra: { retry_after: retryAfter }, headers },
      );
    }
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    await next();
  };
}
