import type { Redis } from '@upstash/redis';
import { BEACON_INDEX_KEY, beaconRedisKey, type RegionBeacon } from '../../shared/beacon.ts';
import type { WaitUntil } from '../wait-until.ts';

/**
 * Region beacons from global Redis, cached per isolate. Within `ttlMs` the cached beacons are
 * served as they are; after it they are still served (for up to `maxAgeMs`) while one
 * background read refreshes them, so a request never waits on Redis for routing except in a
 * cold isolate. When Redis cannot answer, the last beacons read are kept (their `at` ages them
 * out, so a long outage ends in "no healthy region" rather than stale routing).
 */
export class BeaconSource {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #value: RegionBeacon[] = [];
  #readAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<RegionBeacon[]> | null = null;

  constructor(redis: Redis, ttlMs: number, now: () => number = Date.now, maxAgeMs = 5_000) {
    this.#redis = redis;
    this.#ttlMs = ttlMs;
    this.#maxAgeMs = Math.max(ttlMs, maxAgeMs);
    this.#now = now;
  }

  all(waitUntil?: WaitUntil): Promise<RegionBeacon[]> {
    const age = this.#now() - this.#readAt;
    if (age < this.#ttlMs) return Promise.resolve(this.#value);
    const refresh = this.#refresh();
    if (age < this.#maxAgeMs && waitUntil) {
      waitUntil(refresh);
      return Promise.resolve(this.#value);
    }
    return refresh;
  }

  #refresh(): Promise<RegionBeacon[]> {
    this.#inflight ??= this.#read().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #read(): Promise<RegionBeacon[]> {
    try {
      const regions = await this.#redis.smembers(BEACON_INDEX_KEY);
      const beacons =
        regions.length === 0
          ? []
          : await this.#redis.mget<(RegionBeacon | null)[]>(...regions.map(beaconRedisKey));
      this.#value = beacons.filter((b): b is RegionBeacon => isBeacon(b));
      this.#readAt = this.#now();
    } catch {
      // Keep the last beacons; try again on the next request.
    }
    return this.#value;
  }
}

function isBeacon(b: unknown): b is RegionBeacon {
  if (typeof b !== 'object' || b === null) return false;
  const r = b as Partial<RegionBeacon>;
  return (
    typeof r.region === 'string' &&
    typeof r.url === 'string' &&
    /^https?:\/\//.test(r.url) &&
    typeof r.latitude === 'number' &&
    typeof r.longitude === 'number' &&
    typeof r.at === 'number'
  );
}
