import type { Redis } from '@upstash/redis';
import { BEACON_INDEX_KEY, beaconRedisKey, type RegionBeacon } from '../../shared/beacon.ts';

/**
 * Region beacons from global Redis, cached per isolate for `ttlMs`; concurrent requests share
 * one read. When Redis cannot answer, the last beacons read are served (their `at` ages them
 * out, so a long outage still ends in "no healthy region" rather than stale routing).
 */
export class BeaconSource {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #value: RegionBeacon[] = [];
  #readAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<RegionBeacon[]> | null = null;

  constructor(redis: Redis, ttlMs: number, now: () => number = Date.now) {
    this.#redis = redis;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  all(): Promise<RegionBeacon[]> {
    if (this.#now() - this.#readAt < this.#ttlMs) return Promise.resolve(this.#value);
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
