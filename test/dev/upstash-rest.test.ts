import { createHash } from 'node:crypto';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalGlobalStore,
  startLocalGlobalStore,
} from '../../dev/upstash-rest/global-store.ts';

const TOKEN = 'dev-token-for-tests';

describe('Upstash-REST-compatible dev server', () => {
  let store: LocalGlobalStore;
  let direct: IORedis;
  let client: UpstashRedis;

  const raw = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(store.restUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    store = await startLocalGlobalStore({ token: TOKEN });
    direct = new IORedis(store.redis.url);
    client = new UpstashRedis({ url: store.restUrl, token: TOKEN, enableTelemetry: false });
  });
  afterAll(async () => {
    direct?.disconnect();
    await store?.stop();
  });
  beforeEach(async () => {
    await direct.flushall();
  });

  it('serves strings, JSON values, counters and expiry through @upstash/redis', async () => {
    expect(await client.set('greeting', 'héllo 世界 🎧')).toBe('OK');
    expect(await client.get('greeting')).toBe('héllo 世界 🎧');
    await client.set('doc', { a: 1, b: ['x', null] }, { ex: 60 });
    expect(await client.get('doc')).toEqual({ a: 1, b: ['x', null] });
    expect(await client.ttl('doc')).toBeGreaterThan(0);
    expect(await client.incr('n')).toBe(1);
    expect(await client.incrby('n', 41)).toBe(42);
    expect(await client.get('missing')).toBeNull();
    expect(await client.mget('greeting', 'missing', 'n')).toEqual(['héllo 世界 🎧', null, 42]);
    expect(await direct.get('greeting')).toBe('héllo 世界 🎧');
  });

  it('returns hashes, sets and sorted sets in the shapes the client expects', async () => {
    await client.hset('h', { name: 'eu-west', depth: 3 });
    expect(await client.hgetall('h')).toEqual({ name: 'eu-west', depth: 3 });
    expect(await client.hget('h', 'name')).toBe('eu-west');
    await client.sadd('s', 'a', 'b');
    expect((await client.smembers('s')).sort()).toEqual(['a', 'b']);
    await client.zadd('z', { score: 2, member: 'two' }, { score: 1, member: 'one' });
    expect(await client.zrange('z', 0, -1, { withScores: true })).toEqual(['one', 1, 'two', 2]);
  });

  it('flattens HGETALL on the wire, as Upstash does', async () => {
    await direct.hset('h', 'k1', 'v1', 'k2', 'v2');
    const res = await raw('/', ['hgetall', 'h']);
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: string[] };
    expect(result).toHaveLength(4);
    expect(
      Object.fromEntries([
        [result[0], result[1]],
        [result[2], result[3]],
      ]),
    ).toEqual({
      k1: 'v1',
      k2: 'v2',
    });
  });

  it('is binary-safe in base64 mode and leaves OK and integers alone', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a]);
    await direct.set(Buffer.from([0xc3, 0x28]), bytes);
    const res = await raw('/pipeline', [['GET', '\u00c3(']], { 'upstash-encoding': 'base64' });
    // The key above is not valid UTF-8, so it cannot be named in JSON: read it by pattern.
    expect(res.status).toBe(200);
    const keys = await raw('/', ['KEYS', '*'], { 'upstash-encoding': 'base64' });
    const { result: keyList } = (await keys.json()) as { result: string[] };
    expect(keyList).toEqual([Buffer.from([0xc3, 0x28]).toString('base64')]);
    await direct.set('bin', bytes);
    const get = await raw('/', ['GET', 'bin'], { 'upstash-encoding': 'base64' });
    expect(await get.json()).toEqual({ result: bytes.toString('base64') });
    const set = await raw('/', ['SET', 'x', 'y'], { 'upstash-encoding': 'base64' });
    expect(await set.json()).toEqual({ result: 'OK' });
    const incr = await raw('/', ['INCR', 'c'], { 'upstash-encoding': 'base64' });
    expect(await incr.json()).toEqual({ result: 1 });
    const plain = await raw('/', ['GET', 'x']);
    expect(await plain.json()).toEqual({ result: 'y' });
  });

  it('works with a client that does not ask for base64', async () => {
    const plain = new UpstashRedis({
      url: store.restUrl,
      token: TOKEN,
      enableTelemetry: false,
      responseEncoding: false,
    });
    await plain.set('k', 'ünï');
    expect(await plain.get('k')).toBe('ünï');
  });

  it('runs pipelines, keeping per-command errors', async () => {
    const p = client.pipeline();
    p.set('a', 'text');
    p.incr('a');
    p.get('a');
    await expect(p.exec()).rejects.toThrow(/not an integer/);
    const res = await raw('/pipeline', [
      ['SET', 'a', 'text'],
      ['INCR', 'a'],
      ['GET', 'a'],
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{ result?: unknown; error?: string }>;
    expect(body[0]).toEqual({ result: 'OK' });
    expect(body[1]!.error).toMatch(/^ERR value is not an integer/);
    expect(body[2]).toEqual({ result: 'text' });
    const ok = client.pipeline();
    ok.set('b', 1);
    ok.incr('b');
    expect(await ok.exec()).toEqual(['OK', 2]);
  });

  it('runs MULTI/EXEC transactions atomically', async () => {
    const tx = client.multi();
    tx.set('t', 10);
    tx.incrby('t', 5);
    tx.hset('th', { f: 'v' });
    expect(await tx.exec()).toEqual(['OK', 15, 1]);
    const aborted = await raw('/multi-exec', [
      ['SET', 'u', '1'],
      ['NOSUCHCOMMAND', 'x'],
    ]);
    expect(aborted.status).toBe(400);
    expect(((await aborted.json()) as { error: string }).error).toMatch(
      /EXECABORT|unknown command/,
    );
    expect(await direct.exists('u')).toBe(0);
  });

  it('passes EVAL and EVALSHA through', async () => {
    const script = 'return {KEYS[1], ARGV[1], redis.call("INCR", KEYS[1])}';
    expect(await client.eval(script, ['ev'], ['arg'])).toEqual(['ev', 'arg', 1]);
    const sha = await client.scriptLoad(script);
    expect(await client.evalsha(sha, ['ev'], ['arg'])).toEqual(['ev', 'arg', 2]);
    await expect(client.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('accepts Upstash-only script flags and keeps the client-side script hash', async () => {
    const script = '#!lua flags=allow-key-locking,no-writes\nreturn redis.call("GET", KEYS[1])';
    await direct.set('flagged', 'v');
    const expectedSha = createHash('sha1').update(script).digest('hex');
    await expect(client.evalsha(expectedSha, ['flagged'], [])).rejects.toThrow(/NOSCRIPT/);
    expect(await client.eval(script, ['flagged'], [])).toBe('v');
    expect(await client.evalsha(expectedSha, ['flagged'], [])).toBe('v');
    expect(await client.scriptLoad(script)).toBe(expectedSha);
    expect(await client.scriptExists(expectedSha)).toEqual([1]);
  });

  it('serves @upstash/ratelimit sliding windows (EVALSHA with EVAL fallback)', async () => {
    const limiter = new Ratelimit({
      redis: client,
      limiter: Ratelimit.slidingWindow(3, '30 s'),
      prefix: 'test-rl',
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.limit('tenant-a'));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.reset).toBeGreaterThan(Date.now());
    expect((await limiter.limit('tenant-b')).success).toBe(true);

    const bucket = new Ratelimit({
      redis: client,
      limiter: Ratelimit.tokenBucket(1, '30 s', 2),
      prefix: 'test-bucket',
    });
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push((await bucket.limit('tenant-a')).success);
    expect(taken).toEqual([true, true, false]);
  });

  it('answers Redis errors as {error} with 400, as Upstash does', async () => {
    await client.set('str', 'x');
    await expect(client.incr('str')).rejects.toThrow(/ERR value is not an integer/);
    const res = await raw('/', ['LPUSH', 'str', 'y']);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^WRONGTYPE/);
  });

  it('rejects bad tokens and malformed requests', async () => {
    const bad = new UpstashRedis({ url: store.restUrl, token: 'wrong', enableTelemetry: false });
    await expect(bad.get('k')).rejects.toThrow(/Unauthorized/);
    const none = await fetch(store.restUrl, { method: 'POST', body: '["PING"]' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'Unauthorized' });
    const malformed = await fetch(store.restUrl, {
      method: 'POST',
      headers: { authorization: 'Basic abc' },
      body: '["PING"]',
    });
    expect(malformed.status).toBe(401);

    for (const body of ['not json', '[]', '{"a":1}', '[{"x":1}]', '[["SET"], "x"]']) {
      const res = await raw('/', body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^ERR/);
    }
    for (const body of ['[]', '["SET","a","b"]', '[["SET","a"],{}]']) {
      expect((await raw('/pipeline', body)).status, body).toBe(400);
    }
    const subscribe = await raw('/', ['SUBSCRIBE', 'chan']);
    expect(subscribe.status).toBe(400);
    const unknown = await raw('/nope', ['PING']);
    expect(unknown.status).toBe(404);
    // The server is still fine afterwards.
    expect(await client.ping()).toBe('PONG');
  });
});
