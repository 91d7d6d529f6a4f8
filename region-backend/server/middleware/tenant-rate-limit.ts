import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../../../shared/problem.ts';
import type { TenantRateLimiter } from '../../rate-limit/sliding-window-limiter.ts';
import type { BackendEnv } from '../env.ts';

/**
 * Per-tenant limits from the caller's key record, with IETF RateLimit headers on every answer
 * and 429 + Retry-After when over. Requests the edge forwarded were limited there already.
 *
 * @example
 * ```ts
 * app.use('/api/*', apiKeyAuth({ keys }), tenantRateLimit({ limiter: new InProcessRateLimiter() }));
 * ```
 */
export function tenantRateLimit(options: {
  limiter: TenantRateLimiter;
  now?: () => number;
}): MiddlewareHandler<BackendEnv> {
  const now = options.now ?? Date.now;
  return async (c, next) => {
    const caller = c.var.caller;
    if (caller.via === 'edge' || !caller.rateLimit) return next();
    const d = await options.limiter.check(caller.tenant, caller.rateLimit);
    const resetSeconds = Math.max(1, Math.ceil((d.reset - now()) / 1000));
    const headers = {
      'ratelimit-limit': String(d.limit),
      'ratelimit-remaining': String(d.remaining),
      'ratelimit-reset': String(resetSeconds),
      'ratelimit-policy': `${caller.rateLimit.requests};w=${caller.rateLimit.window_seconds}`,
    };
    if (!d.allowed) {
      throw new ProblemError(
        'rateLimited',
        `tenant ${caller.tenant} is over ${caller.rateLimit.requests} requests per ${caller.rateLimit.window_seconds} s`,
        {
          extra: { retry_after: resetSeconds },
          headers: { ...headers, 'retry-after': String(resetSeconds) },
        },
      );
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}
