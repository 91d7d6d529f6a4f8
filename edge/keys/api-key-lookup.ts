import type { Redis } from '@upstash/redis';
import { type ApiKeyRecord, apiKeyRedisKey } from '../../shared/api-keys.ts';
import { SingleFlight } from '../single-flight.ts';
import type { WaitUntil } from '../wait-until.ts';

type Entry = { record: ApiKeyRecord | null; readAt: number };

/**
 * API key records from global Redis by SHA-256, with a short per-isolate cache (unknown keys
 * included, so a flood of bad keys does not reach Redis). An entry older than `ttlMs` is never
 * used, so a revocation takes effect within the TTL; one past half its TTL is used while a
 * background read refreshes it, so a busy key never waits on Redis. Concurrent look-ups of one
 * key share a single Redis call, each bounded by its own timer (SingleFlight): one that ends
 * unanswered throws, as a Redis failure does.
 */
export class ApiKeyLookup {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Entry>();
  readonly #reads: SingleFlight<string, Entry>;

  /**
   * `readBoundMs`: the longest a look-up waits for a read (the Redis client's own bound, retry
   * included, plus a margin).
   */
  constructor(
    redis: Redis,
    ttlMs: number,
    readBoundMs: number,
    maxEntries = 10_000,
    now: () => number = Date.now,
  ) {
    this.#redis = redis;
    this.#ttlMs = Math.max(1, ttlMs);
    this.#maxEntries = maxEntries;
    this.#now = now;
    this.#reads = new SingleFlight(readBoundMs, now);
  }

  /** The record for a key hash, or null when there is none. Throws when Redis cannot answer. */
  async find(sha256: string, waitUntil?: WaitUntil): Promise<ApiKeyRecord | null> {
    const cached = this.#cache.get(sha256);
    const age = cached ? this.#now() - cached.readAt : Number.POSITIVE_INFINITY;
    if (cached && age < this.#ttlMs) {
      if (age > this.#ttlMs / 2 && waitUntil) {
        this.#reads.start(sha256, () => this.#read(sha256), waitUntil);
      }
      return cached.record;
    }
    return (await this.#reads.run(sha256, () => this.#read(sha256), waitUntil)).record;
  }

  async #read(sha256: string): Promise<Entry> {
    const readAt = this.#now();
    const record = (await this.#redis.get<ApiKeyRecord>(apiKeyRedisKey(sha256))) ?? null;
    const entry = { record, readAt };
    // Map order is insertion order: re-insert to keep recently read keys, drop the oldest.
    this.#cache.delete(sha256);
    this.#cache.set(sha256, entry);
    if (this.#cache.size > this.#maxEntries) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    return entry;
  }
}
