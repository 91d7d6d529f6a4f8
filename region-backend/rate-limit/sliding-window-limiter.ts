/**
 * Per-tenant request limits on a regional direct endpoint. The edge enforces limits with
 * @upstash/ratelimit in global Redis; a backend reached directly applies the same limits
 * itself (through Redis when the global store is configured, otherwise in-process).
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix ms when the window frees a slot. */
  reset: number;
}

export interface TenantRateLimiter {
  check(
    tenant: string,
    limit: { requests: number; window_seconds: number },
  ): Promise<RateLimitDecision>;
}

/**
 * In-process sliding-window log. Memory is bounded by the limits themselves (at most `requests`
 * timestamps per tenant) and idle tenants are swept.
 */
export class InProcessRateLimiter implements TenantRateLimiter {
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async check(
    tenant: string,
    limit: { requests: number; window_seconds: number },
  ): Promise<RateLimitDecision> {
    const now = this.now();
    const windowMs = limit.window_seconds * 1000;
    this.sweep(now, windowMs);
    const log = (this.hits.get(tenant) ?? []).filter((t) => t > now - windowMs);
    const allowed = log.length < limit.requests;
    if (allowed) log.push(now);
    this.hits.set(tenant, log);
    const oldest = log[0] ?? now;
    return {
      allowed,
      limit: limit.requests,
      remaining: Math.max(0, limit.requests - log.length),
      reset: oldest + windowMs,
    };
  }

  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [tenant, log] of this.hits) {
      if ((log.at(-1) ?? 0) <= now - windowMs) this.hits.delete(tenant);
    }
  }
}
