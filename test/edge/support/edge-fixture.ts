import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis';
import type { EdgeBindings } from '../../../edge/config.ts';
import { createEdgeWorker } from '../../../edge/index.ts';
import {
  API_KEY_PREFIX,
  type ApiKeyRecord,
  apiKeyRedisKey,
  keyIdFromHash,
  sha256Hex,
} from '../../../shared/api-keys.ts';
import { BEACON_INDEX_KEY, beaconRedisKey, type RegionBeacon } from '../../../shared/beacon.ts';

/** The bindings the pool built from wrangler.toml (env dev) plus the test's miniflare bindings. */
export interface TestBindings extends EdgeBindings {
  TEST_STUB_REGIONS: string;
  TEST_DEAD_REGION_URL: string;
  TEST_FREEZABLE_UPSTASH_URL: string;
  TEST_STORE_CONTROL_URL: string;
}
export const testEnv = env as unknown as TestBindings;
export const stubRegions = JSON.parse(testEnv.TEST_STUB_REGIONS) as Record<string, string>;
export const deadRegionUrl = testEnv.TEST_DEAD_REGION_URL;

/** The test's own client of the same global Redis the edge reads. */
export const redis = new Redis({
  url: testEnv.UPSTASH_REDIS_REST_URL!,
  token: testEnv.UPSTASH_REDIS_REST_TOKEN!,
  enableTelemetry: false,
});

/** A client of the second global store, the one tests can freeze (see global-setup.ts). */
export const freezableRedis = new Redis({
  url: testEnv.TEST_FREEZABLE_UPSTASH_URL,
  token: testEnv.UPSTASH_REDIS_REST_TOKEN!,
  enableTelemetry: false,
});

/**
 * Freezes (SIGSTOP) or resumes the freezable store's redis-server; with `thawAfterMs`, the
 * store resumes by itself after that long.
 */
export async function freezeStore(frozen: boolean, thawAfterMs?: number): Promise<void> {
  const query = frozen && thawAfterMs ? `?ms=${thawAfterMs}` : '';
  const res = await fetch(
    `${testEnv.TEST_STORE_CONTROL_URL}/${frozen ? 'freeze' : 'thaw'}${query}`,
    {
      method: 'POST',
    },
  );
  if (res.status !== 204) throw new Error(`store control answered ${res.status}`);
}

/** Coordinates of the stub regions and of two client cities. */
export const PLACES = {
  'us-east': { latitude: 39.04, longitude: -77.49 },
  'eu-west': { latitude: 53.35, longitude: -6.26 },
  'ap-south': { latitude: 19.08, longitude: 72.88 },
  paris: { latitude: 48.86, longitude: 2.35 },
  newYork: { latitude: 40.71, longitude: -74.01 },
  mumbai: { latitude: 19.07, longitude: 72.87 },
} as const;

export const ENGINE = { name: 'dtw', model: 'espeak-ng+dtw', revision: 'test-rev-1' };

export function beacon(region: keyof typeof PLACES, overrides: Partial<RegionBeacon> = {}) {
  const b: RegionBeacon = {
    region,
    url: stubRegions[region] ?? deadRegionUrl,
    ...PLACES[region],
    healthy: true,
    ready: true,
    queue_depth: 0,
    in_flight: 0,
    breaker: 'closed',
    compute_p50_ms: null,
    gpu: null,
    engine: ENGINE,
    at: Date.now(),
    ...overrides,
  };
  return b;
}

/** Replaces every beacon in Redis (or in `store`) with `beacons`. */
export async function setBeacons(beacons: RegionBeacon[], store: Redis = redis): Promise<void> {
  const old = await store.smembers(BEACON_INDEX_KEY);
  const tx = store.multi();
  for (const r of old) tx.del(beaconRedisKey(r));
  tx.del(BEACON_INDEX_KEY);
  for (const b of beacons) {
    tx.set(beaconRedisKey(b.region), JSON.stringify(b), { ex: 60 });
    tx.sadd(BEACON_INDEX_KEY, b.region);
  }
  await tx.exec();
}

let keySeq = 0;

/** Stores a new API key record (as `falign keys create` does) and returns the key. */
export async function createKey(
  overrides: Partial<ApiKeyRecord> = {},
  store: Redis = redis,
): Promise<{ key: string; sha: string; record: ApiKeyRecord }> {
  keySeq += 1;
  const key = `${API_KEY_PREFIX}${'k'.repeat(20)}${crypto.randomUUID().replace(/-/g, '')}${keySeq}`;
  const sha = await sha256Hex(key);
  const record: ApiKeyRecord = {
    id: keyIdFromHash(sha),
    tenant: `tenant-${crypto.randomUUID().slice(0, 8)}`,
    name: 'edge test',
    rate_limit: { requests: 1000, window_seconds: 60 },
    created_at: new Date().toISOString(),
    revoked_at: null,
    ...overrides,
  };
  await store.set(apiKeyRedisKey(sha), JSON.stringify(record));
  return { key, sha, record };
}

/**
 * A fresh edge worker (empty per-isolate caches) over the wrangler.toml bindings, with
 * `overrides` on top; `fetch` runs it with an execution context and waits for its waitUntils.
 */
export function freshEdge(overrides: Partial<EdgeBindings> = {}) {
  const worker = createEdgeWorker();
  const bindings = { ...testEnv, ...overrides };
  return async (input: string, init: RequestInit<IncomingRequestCfProperties> = {}) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch!(
      new Request(new URL(input, 'https://edge.test').href, init) as Request<
        unknown,
        IncomingRequestCfProperties
      >,
      bindings,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** A short, valid 16 kHz mono 16-bit WAV (a tone), for request bodies. */
export function toneWav(seconds = 0.5, hz = 440): Uint8Array {
  const rate = 16_000;
  const n = Math.round(seconds * rate);
  const buf = new ArrayBuffer(44 + n * 2);
  const v = new DataView(buf);
  const str = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i));
  };
  str(0, 'RIFF');
  v.setUint32(4, 36 + n * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) {
    v.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), true);
  }
  return new Uint8Array(buf);
}

/** A multipart align request body. */
export function alignForm(audio: Uint8Array, text: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  form.set(
    'audio',
    new File([audio as Uint8Array<ArrayBuffer>], 'clip.wav', { type: 'audio/wav' }),
  );
  form.set('text', text);
  form.set('language', 'English');
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return form;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export { waitOnExecutionContext };
