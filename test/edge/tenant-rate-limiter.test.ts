import { describe, expect, it } from 'vitest';
import { TenantRateLimiter } from '../../edge/rate-limit/tenant-rate-limiter.ts';
import { redis } from './support/edge-fixture.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TenantRateLimiter (in workerd, real Redis)', () => {
  it('ends each background check at its age bound under steady traffic, and counts every request', async () => {
    // A day's window, so the test cannot straddle two windows (the count below is exact).
    const policy = { requests: 1_000_000, window_seconds: 86_400 };
    const tenant = `t-${crypto.randomUUID()}`;
    const limiter = new TenantRateLimiter(redis, 1_000, Date.now, 10, 100);
    const checks: { started: number; settled?: number }[] = [];
    const waitUntil = (p: Promise<unknown>) => {
      const check: { started: number; settled?: number } = { started: Date.now() };
      checks.push(check);
      void p.finally(() => {
        check.settled = Date.now();
      });
    };
    let admitted = 0;
    const trafficStarted = Date.now();
    while (Date.now() - trafficStarted < 1_000) {
      const d = await limiter.limit(tenant, policy, waitUntil);
      expect(d.success).toBe(true);
      admitted++;
      await sleep(3);
    }
    const trafficEnded = Date.now();
    // Checks came one after another, each in the request that started it; none lived on with
    // the traffic (the bound is 100 ms, plus a batch and a Redis call; slack for a busy machine).
    expect(checks.length).toBeGreaterThanOrEqual(3);
    expect(checks[0]!.settled).toBeDefined();
    expect(checks[0]!.settled!).toBeLessThan(trafficEnded);
    for (let i = 0; i < 100 && checks.some((c) => c.settled === undefined); i++) await sleep(20);
    expect(checks.every((c) => c.settled !== undefined)).toBe(true);
    for (const check of checks) expect(check.settled! - check.started).toBeLessThan(100 + 10 + 600);
    // Every admitted request reached Redis: a fresh isolate's view counts them all.
    const fresh = await new TenantRateLimiter(redis).limit(tenant, policy);
    expect(fresh.remaining).toBe(policy.requests - admitted - 1);
  });
});
