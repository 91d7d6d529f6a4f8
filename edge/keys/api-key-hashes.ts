import { LRUCache } from 'lru-cache';
import { apiKeySha256 } from '../../shared/api-keys.ts';

/**
 * The SHA-256 of the API keys this isolate saw last. In workerd, hashing a key in JS cost more
 * per request than the rest of a cached key check (a CPU profile of edge cache hits). The keys
 * are already in the isolate's memory while their requests run; only the `maxEntries` used last
 * are kept, and nothing here is logged.
 *
 * @example
 * const hashes = new ApiKeyHashes();
 * const sha = hashes.of('fa_...'); // the same value as apiKeySha256('fa_...')
 */
export class ApiKeyHashes {
  readonly #hashes: LRUCache<string, string>;

  constructor(maxEntries = 1024) {
    this.#hashes = new LRUCache({ max: Math.max(1, maxEntries) });
  }

  of(key: string): string {
    let sha = this.#hashes.get(key);
    if (sha === undefined) {
      sha = apiKeySha256(key);
      this.#hashes.set(key, sha);
    }
    return sha;
  }

  get size(): number {
    return this.#hashes.size;
  }
}
