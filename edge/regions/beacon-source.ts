import type { Redis } from '@upstash/redis';
import { BEACON_INDEX_KEY, beaconRedisKey, type RegionBeacon } from '../../shared/beacon.ts';
import { SingleFlight } from '../single-flight.ts';
import type { WaitUntil } from '../wait-until.ts';

/**
 * Region beacons from global Redis, cached per isolate. Within `ttlMs` the cached beacons are
 * served as they are; after it they are still served (for up to `maxAgeMs`) while one
 * background read refreshes them, so a request never waits on Redis for routing except in a
 * cold isolate.
 *
 * Beacons are judged as of the read that returned them (`clock`), not as of now: a beacon
 * says how a region was when it was read, and an old read is refreshed, not aged. So when
 * Redis cannot answer, the last beacons read are kept and served without waiting: a Redis
 * outage says nothing about the regions and must not age them into "no healthy region". A
 * region that died meanwhile is found by failover (connect error, timeout, 503), as it would
 * be between two reads.
 */
export class BeaconSource {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #value: RegionBeacon[] = [];
  #readAt = Number.NEGATIVE_INFINITY;
  /** True while the latest read failed (Redis unreachable or timed out). */
  #unreachable = false;
  /** One read at a time, each request bounded by its own timer (see SingleFlight). */
  readonly #reads: SingleFlight<'beacons', RegionBeacon[]>;

  /** `readBoundMs`: the longest a request waits for a read (then it gets the last beacons). */
  constructor(
    redis: Redis,
    ttlMs: number,
    readBoundMs: number,
    now: () => number = Date.now,
    maxAgeMs = 5_000,
  ) {
    this.#redis = redis;
    this.#ttlMs = ttlMs;
    this.#maxAgeMs = Math.max(ttlMs, maxAgeMs);
    this.#now = now;
    this.#reads = new SingleFlight(readBoundMs, now);
  }

  all(waitUntil?: WaitUntil): Promise<RegionBeacon[]> {
    const age = this.#now() - this.#readAt;
    if (age < this.#ttlMs) return Promise.resolve(this.#value);
    const read = () => this.#read();
    const usableWhileRefreshing =
      age < this.#maxAgeMs || (this.#unreachable && this.#value.length > 0);
    if (usableWhileRefreshing && waitUntil) {
      this.#reads.start('beacons', read, waitUntil);
      return Promise.resolve(this.#value);
    }
    // A read that ends unanswered is a failed read: the last beacons stand.
    return this.#reads.run('beacons', read, waitUntil).catch(() => this.#value);
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
      this.#unreachable = false;
    } catch {
      // Keep the last beacons; try again on the next request.
      this.#unreachable = true;
    }
    return this.#value;
  }

  /** The time to judge beacon staleness by: when the beacons served were read (at most `now`). */
  clock(now: number): number {
    return Math.min(now, this.#readAt);
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
