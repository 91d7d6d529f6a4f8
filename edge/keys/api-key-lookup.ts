import type { Redis } from '@upstash/redis';
import { LRUCache } from 'lru-cache';
import { type ApiKeyRecord, apiKeyRedisKey } from '../../shared/api-keys.ts';

type Entry = { record: ApiKeyRecord | null };

/**
 * API key records from global Redis by SHA-256, with a short per-isolate cache (unknown keys
 * included, so a flood of bad keys does not reach Redis). A revocation takes effect within
 * the cache's TTL. Concurrent look-ups of one key share a single Redis call.
 */
export class ApiKeyLookup {
  readonly #redis: Redis;
  readonly #cache: LRUCache<string, Entry>;
  readonly #inflight = new Map<string, Promise<Entry>>();

  constructor(redis: Redis, ttlMs: number, maxEntries = 10_000) {
    this.#redis = redis;
    this.#cache = new LRUCache<string, Entry>({ max: maxEntries, ttl: Math.max(1, ttlMs) });
  }

  /** The record for a key hash, or null when there is none. Throws when Redis cannot answer. */
  async find(sha256: string): Promise<ApiKeyRecord | null> {
    const cached = this.#cache.get(sha256);
    if (cached) return cached.record;
    let pending = this.#inflight.get(sha256);
    if (!pending) {
      pending = this.#read(sha256).finally(() => this.#inflight.delete(sha256));
      this.#inflight.set(sha256, pending);
    }
    return (await pending).record;
  }

  async #read(sha256: string): Promise<Entry> {
    const record = (await this.#redis.get<ApiKeyRecord>(apiKeyRedisKey(sha256))) ?? null;
    const entry = { record };
    this.#cache.set(sha256, entry);
    return entry;
  }
}
