import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRedisKey } from '../../shared/api-keys.ts';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import {
  alignForm,
  beacon,
  bearer,
  createKey,
  freezeStore,
  freshEdge,
  redis,
  setBeacons,
  testEnv,
  toneWav,
} from './support/edge-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('edge: API keys and rate limits', () => {
  beforeAll(async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west')]);
  });

  const align = (edge: ReturnType<typeof freshEdge>, headers: Record<string, string>) =>
    edge('/api/align', {
      method: 'POST',
      headers: { prefer: 'wait=10', ...headers },
      body: alignForm(toneWav(), 'hello world'),
    });

  it('refuses a request without a key with 401 problem+json', async () => {
    const res = await align(freshEdge(), {});
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 401, title: 'Missing or invalid API key' });
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('refuses malformed, unknown and revoked keys', async () => {
    const edge = freshEdge();
    const revoked = await createKey({ revoked_at: new Date().toISOString() });
    for (const headers of [
      bearer('not-a-key'),
      bearer(`fa_${'x'.repeat(43)}`),
      { 'x-api-key': `fa_${'y'.repeat(43)}` },
      bearer(revoked.key),
    ]) {
      const res = await align(edge, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      const body = await res.text();
      expect(body).not.toContain(Object.values(headers)[0]!.replace('Bearer ', ''));
    }
  });

  it('forwards a valid key as the signed tenant, never the key itself', async () => {
    const { key, record } = await createKey();
    for (const headers of [bearer(key), { 'x-api-key': key }]) {
      const res = await align(freshEdge(), headers);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        tenant: record.tenant,
        key_id: record.id,
        saw_authorization: false,
        saw_api_key: false,
        path: '/api/align',
      });
      expect(res.headers.get('x-region')).toBe(body.region);
      expect(body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it('keeps a revoked key valid only for the key cache TTL', async () => {
    const edge = freshEdge({ KEY_CACHE_TTL_MS: '300' });
    const { key, sha, record } = await createKey();
    expect((await align(edge, bearer(key))).status).toBe(200);
    await redis.set(apiKeyRedisKey(sha), JSON.stringify({ ...record, revoked_at: 'now' }));
    // Still cached in this isolate: the revocation is not seen yet.
    expect((await align(edge, bearer(key))).status).toBe(200);
    await sleep(400);
    expect((await align(edge, bearer(key))).status).toBe(401);
  });

  it('answers 503 (fails closed) when the key store cannot be reached', async () => {
    const edge = freshEdge({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' });
    const { key } = await createKey();
    const res = await align(edge, bearer(key));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers an unknown key with 503 + Retry-After while the key store is frozen, not when it resumes', async () => {
    // The store stays frozen until the answer is in: an edge that waited for it would hang here
    // until the test times out.
    const edge = freshEdge({ UPSTASH_REDIS_REST_URL: testEnv.TEST_FREEZABLE_UPSTASH_URL });
    await freezeStore(true);
    try {
      const res = await align(edge, bearer(`fa_${'q'.repeat(43)}`));
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 503 });
      expect(body.retry_after).toBeGreaterThan(0);
    } finally {
      await freezeStore(false);
    }
  });

  it('rate-limits per tenant with RateLimit headers and 429 + Retry-After', async () => {
    const edge = freshEdge();
    const { key } = await createKey({ rate_limit: { requests: 2, window_seconds: 60 } });
    const first = await align(edge, bearer(key));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(first.headers.get('ratelimit-policy')).toBe('2;w=60');
    expect((await align(edge, bearer(key))).status).toBe(200);
    const limited = await align(edge, bearer(key));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    const body = (await limited.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 429, retry_after: retryAfter });

    // Another tenant is not affected, and neither is a fresh isolate's view of this one.
    const other = await createKey({ rate_limit: { requests: 2, window_seconds: 60 } });
    expect((await align(edge, bearer(other.key))).status).toBe(200);
    expect((await align(freshEdge(), bearer(key))).status).toBe(429);
  });

  it('admits far-from-limit requests ahead of Redis yet stops at the limit', async () => {
    const edge = freshEdge();
    const { key } = await createKey({ rate_limit: { requests: 12, window_seconds: 60 } });
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await edge('/api/tasks/task_x/status', { headers: bearer(key) });
      statuses.push(res.status);
      remaining.push(res.headers.get('ratelimit-remaining') ?? '');
      await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(12);
    expect(statuses.slice(12)).toEqual([429, 429, 429]);
    expect(remaining.slice(0, 12).map(Number)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });
});
