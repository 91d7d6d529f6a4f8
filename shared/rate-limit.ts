/**
 * Rate limits are shared between the edge and the regional direct endpoints: both use
 * @upstash/ratelimit sliding windows under this prefix, keyed by tenant, so a tenant cannot get
 * double its limit by calling a region directly.
 */
export const RATE_LIMIT_PREFIX = 'falign:ratelimit';

/** One limiter per distinct limit: @upstash/ratelimit fixes the window per instance. */
export const rateLimitCacheKey = (requests: number, windowSeconds: number) =>
  `${requests}/${windowSeconds}`;
