import { beforeEach, describe, expect, it } from 'vitest';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import {
  alignForm,
  beacon,
  bearer,
  createKey,
  deadRegionUrl,
  freezableRedis,
  freezeStore,
  freshEdge,
  PLACES,
  setBeacons,
  testEnv,
  toneWav,
} from './support/edge-fixture.ts';

const at = (p: { latitude: number; longitude: number }) => `${p.latitude},${p.longitude}`;

describe('edge: region selection and failover', () => {
  let key: string;
  beforeEach(async () => {
    key = (await createKey()).key;
  });

  const send = (
    edge: ReturnType<typeof freshEdge>,
    headers: Record<string, string> = {},
    cf?: { latitude: string; longitude: string },
  ) =>
    edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), prefer: 'wait=10', ...headers },
      body: alignForm(toneWav(), 'hello world'),
      ...(cf ? { cf: cf as unknown as IncomingRequestCfProperties } : {}),
    });
  const regionOf = async (res: Response) => {
    expect(res.status).toBe(200);
    const body = (await res.json()) as { region: string };
    expect(res.headers.get('x-region')).toBe(body.region);
    return body.region;
  };

  it('sends each client to its nearest region (request.cf location)', async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west'), beacon('ap-south')]);
    const edge = freshEdge();
    const cf = (p: { latitude: number; longitude: number }) => ({
      latitude: String(p.latitude),
      longitude: String(p.longitude),
    });
    expect(await regionOf(await send(edge, {}, cf(PLACES.paris)))).toBe('eu-west');
    expect(await regionOf(await send(edge, {}, cf(PLACES.newYork)))).toBe('us-east');
    expect(await regionOf(await send(edge, {}, cf(PLACES.mumbai)))).toBe('ap-south');
  });

  it('lets the dev-only X-Client-Location header place the client, and ignores it elsewhere', async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west')]);
    const paris = { 'x-client-location': at(PLACES.paris) };
    const newYork = { 'x-client-location': at(PLACES.newYork) };
    const dev = freshEdge();
    expect(await regionOf(await send(dev, paris))).toBe('eu-west');
    expect(await regionOf(await send(dev, newYork))).toBe('us-east');
    // In production the header is ignored: request.cf decides.
    const prod = freshEdge({ ENVIRONMENT: 'production' });
    const cfNewYork = { latitude: '40.7', longitude: '-74.0' };
    expect(await regionOf(await send(prod, paris, cfNewYork))).toBe('us-east');
  });

  it('drops stale, unhealthy, unready and breaker-open regions', async () => {
    const paris = { 'x-client-location': at(PLACES.paris) };
    for (const bad of [
      { at: Date.now() - 60_000 },
      { healthy: false },
      { ready: false },
      { breaker: 'open' as const },
    ]) {
      await setBeacons([beacon('us-east'), beacon('eu-west', bad)]);
      expect(await regionOf(await send(freshEdge(), paris)), JSON.stringify(bad)).toBe('us-east');
    }
  });

  it('refreshes beacons in the background once its cache is old, never blocking a request', async () => {
    const paris = { 'x-client-location': at(PLACES.paris) };
    await setBeacons([beacon('us-east'), beacon('eu-west')]);
    const edge = freshEdge({ BEACON_CACHE_TTL_MS: '100' });
    expect(await regionOf(await send(edge, paris))).toBe('eu-west');
    await setBeacons([beacon('us-east'), beacon('eu-west', { ready: false })]);
    await new Promise((r) => setTimeout(r, 150));
    // Served from the old beacons while the refresh runs (kept alive by waitUntil)...
    expect(await regionOf(await send(edge, paris))).toBe('eu-west');
    // ...which the next request sees.
    expect(await regionOf(await send(edge, paris))).toBe('us-east');
  });

  it('keeps routing with the beacons it last read while global Redis is frozen', async () => {
    const paris = { 'x-client-location': at(PLACES.paris) };
    await setBeacons([beacon('us-east'), beacon('eu-west')], freezableRedis);
    const { key } = await createKey({}, freezableRedis);
    const edge = freshEdge({
      UPSTASH_REDIS_REST_URL: testEnv.TEST_FREEZABLE_UPSTASH_URL,
      BEACON_CACHE_TTL_MS: '50',
      BEACON_STALE_MS: '1000',
      KEY_CACHE_TTL_MS: '60000',
    });
    const sendWith = () =>
      edge('/api/align', {
        method: 'POST',
        headers: { ...paris, authorization: `Bearer ${key}` },
        body: alignForm(toneWav(), 'hello world'),
      });
    expect(await regionOf(await sendWith())).toBe('eu-west');
    await freezeStore(true);
    try {
      // Past BEACON_STALE_MS by the clock: only an edge that judges beacons by "now" drops them.
      await new Promise((r) => setTimeout(r, 1_200));
      for (let i = 0; i < 3; i++) expect(await regionOf(await sendWith())).toBe('eu-west');
    } finally {
      await freezeStore(false);
    }
  });

  it('steers away from a nearby region under heavy load', async () => {
    const paris = { 'x-client-location': at(PLACES.paris) };
    await setBeacons([beacon('us-east'), beacon('eu-west', { queue_depth: 40 })]);
    expect(await regionOf(await send(freshEdge(), paris))).toBe('us-east');
    await setBeacons([
      beacon('us-east'),
      beacon('eu-west', {
        gpu: { memory_used_mb: 23_000, memory_total_mb: 24_000, utilization: 1 },
        queue_depth: 10,
      }),
    ]);
    expect(await regionOf(await send(freshEdge(), paris))).toBe('us-east');
    // Light load does not outweigh distance.
    await setBeacons([beacon('us-east'), beacon('eu-west', { queue_depth: 1, in_flight: 2 })]);
    expect(await regionOf(await send(freshEdge(), paris))).toBe('eu-west');
  });

  it('answers 503 problem+json when no region is usable', async () => {
    await setBeacons([beacon('eu-west', { healthy: false })]);
    const res = await send(freshEdge());
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('fails over on a connect error, a 503, a reset and a timeout, naming the region that served', async () => {
    const paris = { 'x-client-location': at(PLACES.paris) };
    // The nearest region is down (nothing listens on its port).
    await setBeacons([beacon('us-east'), beacon('eu-west', { url: deadRegionUrl })]);
    expect(await regionOf(await send(freshEdge(), paris))).toBe('us-east');

    await setBeacons([beacon('us-east'), beacon('eu-west'), beacon('ap-south')]);
    const edge = freshEdge({ ATTEMPT_TIMEOUT_MS: '500' });
    expect(await regionOf(await send(edge, { ...paris, 'x-stub-fault': 'eu-west=503' }))).toBe(
      'us-east',
    );
    expect(await regionOf(await send(edge, { ...paris, 'x-stub-fault': 'eu-west=reset' }))).toBe(
      'us-east',
    );
    expect(await regionOf(await send(edge, { ...paris, 'x-stub-fault': 'eu-west=hang' }))).toBe(
      'us-east',
    );
    // The body is replayed intact to the region that serves.
    const audio = toneWav(0.3, 300);
    const res = await edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), ...paris, 'x-stub-fault': 'eu-west=503,us-east=503' },
      body: alignForm(audio, 'replayed body'),
    });
    const served = (await res.json()) as { region: string; body_bytes: number };
    expect(served.region).toBe('ap-south');
    expect(served.body_bytes).toBeGreaterThan(audio.byteLength);
  });

  it('passes on the last 503 when every region is unavailable, and 502 when none answers', async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west')]);
    const edge = freshEdge();
    const res = await send(edge, { 'x-stub-fault': 'eu-west=503,us-east=503' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(['us-east', 'eu-west']).toContain(res.headers.get('x-region'));

    await setBeacons([
      beacon('us-east', { url: deadRegionUrl }),
      beacon('eu-west', { url: deadRegionUrl }),
    ]);
    const down = await send(freshEdge());
    expect(down.status).toBe(502);
    expect(down.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const body = (await down.json()) as { detail: string };
    expect(body.detail).toMatch(/us-east \(connect-error\)/);
  });

  it('gives up with 504 when the overall deadline passes', async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west')]);
    const edge = freshEdge({ ATTEMPT_TIMEOUT_MS: '300', FORWARD_DEADLINE_MS: '400' });
    const res = await send(edge, { 'x-stub-fault': 'eu-west=hang,us-east=hang' });
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  });

  it('proxies task status and result reads to a region', async () => {
    await setBeacons([beacon('us-east')]);
    const res = await freshEdge()('/api/tasks/task_123/result?format=srt', {
      headers: bearer(key),
    });
    const body = (await res.json()) as { region: string; path: string; query: string };
    expect(body).toMatchObject({
      region: 'us-east',
      path: '/api/tasks/task_123/result',
      query: '?format=srt',
    });
    expect((await freshEdge()('/api/tasks/task_123/status')).status).toBe(401);
    const batch = await freshEdge()('/api/align/batch/batch_42', { headers: bearer(key) });
    expect(await batch.json()).toMatchObject({
      region: 'us-east',
      path: '/api/align/batch/batch_42',
    });
  });
});
