import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import type { ApiKeyRecord } from '../../shared/api-keys.ts';
import { RATE_LIMIT_PREFIX, rateLimitCacheKey } from '../../shared/rate-limit.ts';
import type { WaitUntil } from '../wait-until.ts';

export type RateLimitPolicy = ApiKeyRecord['rate_limit'];

/** The outcome of one check, with what the RateLimit headers need. */
export interface RateLimitDecision {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix ms when the window has room again. */
  reset: number;
  /** Work @upstash/ratelimit finishes after answering; hand it to `waitUntil`. None when the
   * decision was made in the isolate. */
  pending?: Promise<unknown>;
}

/** What the isolate last learned about a tenant's window from Redis. */
interface KnownWindow {
  remaining: number;
  reset: number;
  /** Requests admitted ahead of their Redis check, whose checks have not come back yet. */
  ahead: number;
  /** Of those, requests not yet sent to Redis (they go out together in the next check). */
  unsent: number;
  /**
   * True while a background check for this window takes new requests. It stops taking them
   * at its age bound, so the next request admitted starts another.
   */
  flushing: boolean;
}

/**
 * Per-tenant sliding windows with @upstash/ratelimit, shared with the regional direct
 * endpoints so a tenant cannot double its limit by going around the edge. One limiter per
 * policy (keys carry their own limits); every limiter shares one ephemeral cache so a tenant
 * already over its limit is refused in the isolate without a Redis round trip.
 *
 * Far from its limit, a tenant's request does not wait for Redis: when the isolate last saw
 * more than `margin` requests left in the current window, the request is admitted at once and
 * counted in Redis in the background (`waitUntil`). Such requests are counted together: the
 * first one starts a check `batchMs` later that counts every request admitted until then
 * (`rate: n`), so a busy tenant costs an isolate at most one Redis call per `batchMs`, not one
 * per request. A check runs in the `waitUntil` of the request that started it, which Workers
 * cancel 30 s after the response, so one keeps going for at most `maxCheckMs` (10 s): then the
 * next request admitted starts the next one in its own context. Near the limit every request
 * waits for Redis, so the limit holds exactly there; an isolate can over-admit by at most the
 * margin (10% of the limit, at least 2) between two of its own checks. When Redis cannot
 * answer, the request is let through (the regions still protect themselves with queue limits).
 */
export class TenantRateLimiter {
  readonly #redis: Redis;
  readonly #limiters = new Map<string, Ratelimit>();
  readonly #blocked = new Map<string, number>();
  readonly #known = new Map<string, KnownWindow>();
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #batchMs: number;
  readonly #maxCheckMs: number;

  constructor(
    redis: Redis,
    timeoutMs = 1_000,
    now: () => number = Date.now,
    batchMs = 50,
    maxCheckMs = 10_000,
  ) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
    this.#now = now;
    this.#batchMs = batchMs;
    this.#maxCheckMs = maxCheckMs;
  }

  async limit(
    tenant: string,
    policy: RateLimitPolicy,
    waitUntil?: WaitUntil,
  ): Promise<RateLimitDecision> {
    const id = rateLimitCacheKey(policy.requests, policy.window_seconds);
    const limiter = this.#limiter(id, policy);
    const knownKey = `${id}:${tenant}`;
    const known = this.#known.get(knownKey);
    const margin = Math.max(2, Math.ceil(policy.requests * 0.1));
    if (waitUntil && known && this.#now() < known.reset && known.remaining - known.ahead > margin) {
      known.ahead += 1;
      known.unsent += 1;
      if (!known.flushing) waitUntil(this.#flush(limiter, tenant, knownKey, known));
      return {
        success: true,
        limit: policy.requests,
        remaining: known.remaining - known.ahead,
        reset: known.reset,
      };
    }
    let r: Awaited<ReturnType<Ratelimit['limit']>>;
    try {
      r = await limiter.limit(tenant);
    } catch {
      return {
        success: true,
        limit: policy.requests,
        remaining: policy.requests,
        reset: this.#now() + policy.window_seconds * 1000,
      };
    }
    this.#learn(knownKey, r);
    return {
      success: r.success,
      limit: r.limit,
      remaining: r.remaining,
      reset: r.reset,
      pending: r.pending,
    };
  }

  /**
   * Counts the requests admitted ahead in Redis, those of each `batchMs` in one call. Past
   * `maxCheckMs` it hands over before its last call: requests admitted from then on start the
   * next check, in their own request's `waitUntil` (an unbounded loop in the first request's
   * context would be cancelled after 30 s, leaving `flushing` set and the tenant's requests
   * uncounted, then every one of them waiting for Redis).
   */
  async #flush(limiter: Ratelimit, tenant: string, key: string, known: KnownWindow): Promise<void> {
    known.flushing = true;
    const startedAt = this.#now();
    let handedOver = false;
    try {
      while (!handedOver) {
        // Requests admitted while this waits (or while the previous call was out) join the next call.
        await new Promise((resolve) => setTimeout(resolve, this.#batchMs));
        if (this.#now() - startedAt >= this.#maxCheckMs) {
          handedOver = true;
          known.flushing = false;
        }
        const rate = known.unsent;
        if (rate === 0) break;
        known.unsent = 0;
        try {
          const r = await limiter.limit(tenant, { rate });
          this.#learn(key, r);
          await r.pending;
        } catch {
          // Not counted: Redis is unreachable, and the requests were already let through.
        } finally {
          known.ahead -= rate;
        }
      }
    } finally {
      if (!handedOver) known.flushing = false;
    }
  }

  #learn(key: string, r: { remaining: number; reset: number }): void {
    const known = this.#known.get(key);
    if (known) {
      known.remaining = r.remaining;
      known.reset = r.reset;
    } else {
      // Bounded: one entry per active tenant and policy; drop the oldest beyond 10k.
      if (this.#known.size >= 10_000) this.#known.delete(this.#known.keys().next().value!);
      this.#known.set(key, {
        remaining: r.remaining,
        reset: r.reset,
        ahead: 0,
        unsent: 0,
        flushing: false,
      });
    }
  }

  #limiter(id: string, policy: RateLimitPolicy): Ratelimit {
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
    return limiter;
  }
}
