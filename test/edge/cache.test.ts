import type { Redis } from '@upstash/redis';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlignmentResult, CachedAlignment } from '../../shared/alignment.ts';
import { sha256Hex } from '../../shared/api-keys.ts';
import { resultCacheKey } from '../../shared/cache-key.ts';
import {
  alignForm,
  beacon,
  bearer,
  createKey,
  ENGINE,
  freezableRedis,
  freezeStore,
  freshEdge,
  redis,
  setBeacons,
  stubRegions,
  testEnv,
  toneWav,
} from './support/edge-fixture.ts';

/** Stores what a region would have cached for (audio, text) and returns it. */
async function seedCache(
  audio: Uint8Array,
  text: string,
  timings: CachedAlignment['timings'],
  store: Redis = redis,
) {
  const key = await resultCacheKey({
    engine: ENGINE.name,
    revision: ENGINE.revision,
    language: 'English',
    audioSha256: await sha256Hex(audio),
    text,
  });
  const value: CachedAlignment = {
    engine: ENGINE,
    language: 'English',
    duration: 1.25,
    timings,
    compute_ms: 321,
  };
  await store.set(key, JSON.stringify(value), { ex: 600 });
  return value;
}

/**
 * Regions that hang until the edge gives up on them: the edge reads the global cache while it
 * already forwards, so a hit is only certain to be the edge's answer when the region is slower.
 */
const HANGING_REGIONS = { 'x-stub-fault': 'us-east=hang,eu-west=hang' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('edge: result cache', () => {
  let key: string;
  const audio = toneWav(0.4, 523);
  const text = 'Hello, world!';
  beforeAll(async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west')]);
    key = (await createKey()).key;
    await seedCache(audio, text, [
      { start: 0.1, end: 0.5, confidence: 0.9 },
      { start: 0.6, end: 1.4, confidence: 0.8 },
    ]);
  });

  it('answers a multipart hit at the edge with X-Cache: HIT and words for the text as sent', async () => {
    const res = await freshEdge()('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), prefer: 'wait=10', ...HANGING_REGIONS },
      body: alignForm(audio, text),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('HIT');
    expect(res.headers.get('x-region')).toBeNull();
    expect(res.headers.get('ratelimit-limit')).not.toBeNull();
    const result = (await res.json()) as AlignmentResult;
    expect(result).toMatchObject({
      language: 'English',
      duration: 1.25,
      engine: ENGINE,
      cached: true,
    });
    expect(result.task_id).toMatch(/^task_/);
    expect(result.words).toEqual([
      {
        text: 'Hello',
        start: 0.1,
        end: 0.5,
        confidence: 0.9,
        char_start: 0,
        char_end: 5,
        status: 'aligned',
      },
      // Clamped to the audio's duration, so marked interpolated.
      {
        text: 'world',
        start: 0.6,
        end: 1.25,
        confidence: 0.8,
        char_start: 7,
        char_end: 12,
        status: 'interpolated',
      },
    ]);
  });

  it('hits for a JSON body with base64 audio and for a differently spaced transcript', async () => {
    let bin = '';
    for (const b of audio) bin += String.fromCharCode(b);
    const res = await freshEdge()('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json', ...HANGING_REGIONS },
      body: JSON.stringify({ audio: btoa(bin), text: '  Hello,   world! ', language: 'en' }),
    });
    expect(res.headers.get('x-cache')).toBe('HIT');
    const result = (await res.json()) as AlignmentResult;
    expect(result.words.map((w) => [w.text, w.char_start])).toEqual([
      ['Hello', 2],
      ['world', 11],
    ]);
  });

  it('renders a hit in the requested format', async () => {
    const res = await freshEdge()('/api/align?format=srt', {
      method: 'POST',
      headers: { ...bearer(key), ...HANGING_REGIONS },
      body: alignForm(audio, text),
    });
    expect(res.headers.get('x-cache')).toBe('HIT');
    expect(res.headers.get('content-type')).toMatch(/subrip/);
    const srt = await res.text();
    expect(srt).toContain('00:00:00,100 --> ');
    expect(srt).toContain('Hello, world!');
  });

  it('answers a global hit and aborts the region request it started meanwhile', async () => {
    const requestId = `cache-race-${crypto.randomUUID()}`;
    const res = await freshEdge()('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), 'x-request-id': requestId, ...HANGING_REGIONS },
      body: alignForm(audio, text),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('HIT');
    expect(res.headers.get('x-request-id')).toBe(requestId);
    // The forward starts once the key is verified, side by side with the cache read. When the
    // hit came back first, a region that received the request sees it aborted (the abort
    // reaches the stub a moment after the answer); one that never received it was spared.
    const hung = async () => {
      const states = await Promise.all(
        Object.values(stubRegions).map(
          async (url) =>
            (await (await fetch(`${url}/__stub/hung/${requestId}`)).json()) as {
              received: boolean;
              aborted: boolean;
            },
        ),
      );
      return {
        received: states.some((s) => s.received),
        aborted: states.some((s) => s.aborted),
      };
    };
    let state = await hung();
    for (let i = 0; i < 40 && !state.aborted; i++) {
      await sleep(50);
      state = await hung();
    }
    expect(!state.received || state.aborted, JSON.stringify(state)).toBe(true);
  });

  it('aborts a region request already under way when a slower cache read hits', async () => {
    // The global store answers ~300 ms late (frozen, then thawed by its control server; the
    // edge's bound is 500 ms), so the forward surely reaches the hanging region first.
    const timings = [
      { start: 0.1, end: 0.5, confidence: 0.9 },
      { start: 0.6, end: 1.0, confidence: 0.8 },
    ];
    await setBeacons([beacon('us-east'), beacon('eu-west')], freezableRedis);
    await seedCache(audio, text, timings, freezableRedis);
    const owner = await createKey({}, freezableRedis);
    const edge = freshEdge({
      UPSTASH_REDIS_REST_URL: testEnv.TEST_FREEZABLE_UPSTASH_URL,
      BEACON_CACHE_TTL_MS: '60000',
      KEY_CACHE_TTL_MS: '60000',
    });
    // Warm the isolate's key, beacon and rate-limit caches with a miss a region answers.
    const warm = await edge('/api/align', {
      method: 'POST',
      headers: bearer(owner.key),
      body: alignForm(toneWav(0.3, 300), text),
    });
    expect(warm.headers.get('x-cache')).toBe('MISS');
    const requestId = `slow-cache-${crypto.randomUUID()}`;
    await freezeStore(true, 300);
    try {
      const res = await edge('/api/align', {
        method: 'POST',
        headers: { ...bearer(owner.key), 'x-request-id': requestId, ...HANGING_REGIONS },
        body: alignForm(audio, text),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('HIT');
    } finally {
      await freezeStore(false);
    }
    let state = { received: false, aborted: false };
    for (let i = 0; i < 40 && !state.aborted; i++) {
      for (const url of Object.values(stubRegions)) {
        const s = (await (await fetch(`${url}/__stub/hung/${requestId}`)).json()) as typeof state;
        state = { received: state.received || s.received, aborted: state.aborted || s.aborted };
      }
      if (!state.aborted) await sleep(50);
    }
    expect(state).toEqual({ received: true, aborted: true });
  });

  it('answers a repeated hit from the isolate without forwarding at all', async () => {
    const edge = freshEdge();
    const first = await edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), ...HANGING_REGIONS },
      body: alignForm(audio, text),
    });
    expect(first.headers.get('x-cache')).toBe('HIT');
    // Now held in the isolate: a region that would hang is not even asked (the request would
    // otherwise wait for ATTEMPT_TIMEOUT_MS, and the stub would see it).
    const requestId = `isolate-hit-${crypto.randomUUID()}`;
    const again = await edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), 'x-request-id': requestId, ...HANGING_REGIONS },
      body: alignForm(audio, text),
    });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.headers.get('server-timing')).toContain('cache;dur=0');
    for (const url of Object.values(stubRegions)) {
      const seen = (await (await fetch(`${url}/__stub/hung/${requestId}`)).json()) as {
        received: boolean;
      };
      expect(seen.received).toBe(false);
    }
  });

  it('from the isolate: words for each spelling of the transcript, and no hit for other bytes', async () => {
    const edge = freshEdge();
    const post = (body: FormData, headers: Record<string, string> = HANGING_REGIONS) =>
      edge('/api/align', { method: 'POST', headers: { ...bearer(key), ...headers }, body });
    expect((await post(alignForm(audio, text))).headers.get('x-cache')).toBe('HIT');
    // Held now. Another spelling of the same transcript gets offsets into its own text.
    const spaced = await post(alignForm(audio, ' Hello,  world!'));
    expect(spaced.headers.get('x-cache')).toBe('HIT');
    const words = ((await spaced.json()) as AlignmentResult).words;
    expect(words.map((w) => [w.text, w.char_start])).toEqual([
      ['Hello', 1],
      ['world', 9],
    ]);
    const again = ((await (await post(alignForm(audio, text))).json()) as AlignmentResult).words;
    expect(again.map((w) => w.char_start)).toEqual([0, 7]);
    // The same length, one sample different: not the held upload, so a region answers.
    const other = audio.slice();
    other[other.length - 501] = (other[other.length - 501]! + 1) & 0xff;
    const res = await post(alignForm(other, text), {});
    expect(res.headers.get('x-cache')).toBe('MISS');
    expect(res.headers.get('x-region')).not.toBeNull();
  });

  it('forwards a miss (other audio, other text, other engine) to a region', async () => {
    for (const body of [
      alignForm(toneWav(0.4, 700), text),
      alignForm(audio, 'Hello there, world'),
      alignForm(audio, text, { engine: 'qwen3' }),
    ]) {
      const res = await freshEdge()('/api/align', { method: 'POST', headers: bearer(key), body });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('MISS');
      expect(res.headers.get('x-region')).not.toBeNull();
    }
  });

  it('authenticates before answering from cache', async () => {
    const res = await freshEdge()('/api/align', { method: 'POST', body: alignForm(audio, text) });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-cache')).toBeNull();
  });
});

describe('EdgeResultCache: what the isolate may hold', () => {
  it('knows without hashing that it holds nothing for an upload, and forgets evicted entries', async () => {
    const { EdgeResultCache } = await import('../../edge/cache/edge-result-cache.ts');
    // Room for about one entry, so the second global hit evicts the first.
    const cache = new EdgeResultCache(redis, 700);
    const a = toneWav(0.3, 330);
    const b = toneWav(0.35, 660);
    const text = `Shape test ${crypto.randomUUID().slice(0, 8)}`;
    const timings = [
      { start: 0.1, end: 0.3, confidence: 0.9 },
      { start: 0.35, end: 0.6, confidence: 0.9 },
      { start: 0.65, end: 0.9, confidence: 0.9 },
    ];
    await seedCache(a, text, timings);
    await seedCache(b, text, timings);
    const probe = async (audio: Uint8Array) =>
      cache.probe({
        engine: ENGINE,
        language: 'English',
        audio,
        text,
      });
    expect(cache.mayHoldLocally(a.byteLength, 'English', text)).toBe(false);
    const first = await probe(a);
    expect('global' in first && (await first.global)).toBeTruthy();
    expect(cache.mayHoldLocally(a.byteLength, 'English', text)).toBe(true);
    expect(cache.mayHoldLocally(a.byteLength, 'English', `${text}!`)).toBe(false);
    expect(cache.mayHoldLocally(a.byteLength + 1, 'English', text)).toBe(false);
    expect('local' in (await probe(a))).toBe(true);
    // b's hit pushes a out of the isolate: a is no longer claimed, b is.
    const second = await probe(b);
    expect('global' in second && (await second.global)).toBeTruthy();
    expect(cache.mayHoldLocally(b.byteLength, 'English', text)).toBe(true);
    expect(cache.mayHoldLocally(a.byteLength, 'English', text)).toBe(false);
  });
});
