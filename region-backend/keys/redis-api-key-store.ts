import type { Redis } from '@upstash/redis';
import { LRUCache } from 'lru-cache';
import {
  ALL_KEYS_REDIS_KEY,
  type ApiKeyRecord,
  apiKeyRedisKey,
  tenantKeysRedisKey,
} from '../../shared/api-keys.ts';
import { ProblemError } from '../../shared/problem.ts';
import type { ApiKeyStore } from './api-key-store.ts';

/**
 * API keys in global Redis (Upstash REST), where the edge reads them too.
 *
 * A record found is used without asking again for `freshMs` (a revocation made elsewhere
 * takes effect within that time, as at the edge). If the store does not answer within
 * `timeoutMs`, a record seen in the last `staleMs` is still honoured, so known tenants keep
 * working through an outage; a key never seen is refused with 503 (fail closed, never open).
 */
export class RedisApiKeyStore implements ApiKeyStore {
  private readonly remembered = new LRUCache<string, { record: ApiKeyRecord; at: number }>({
    max: 10_000,
  });
  private readonly timeoutMs: number;
  private readonly freshMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly redis: Redis,
    options: { timeoutMs?: number; freshMs?: number; staleMs?: number; now?: () => number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.freshMs = options.freshMs ?? 30_000;
    this.staleMs = options.staleMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  private readonly now: () => number;

  async find(sha256: string): Promise<ApiKeyRecord | null> {
    const known = this.remembered.get(sha256);
    const age = known ? this.now() - known.at : Number.POSITIVE_INFINITY;
    if (known && age < this.freshMs) return known.record;
    try {
      const record = await this.lookup(sha256);
      if (record) this.remembered.set(sha256, { record, at: this.now() });
      else this.remembered.delete(sha256);
      return record;
    } catch (err) {
      if (known && age < this.staleMs) return known.record;
      throw err;
    }
  }

  private async lookup(sha256: string): Promise<ApiKeyRecord | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ProblemError('overloaded', 'the API-key store did not answer; retry shortly', {
              extra: { retry_after: 2 },
            }),
          ),
        this.timeoutMs,
      );
    });
    try {
      return (
        (await Promise.race([this.redis.get<ApiKeyRecord>(apiKeyRedisKey(sha256)), deadline])) ??
        null
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async put(sha256: string, record: ApiKeyRecord): Promise<void> {
    this.remembered.delete(sha256);
    const tx = this.redis.multi();
    tx.set(apiKeyRedisKey(sha256), JSON.stringify(record));
    tx.sadd(ALL_KEYS_REDIS_KEY, sha256);
    tx.sadd(tenantKeysRedisKey(record.tenant), sha256);
    await tx.exec();
  }

  async list(): Promise<Array<{ sha256: string; record: ApiKeyRecord }>> {
    const hashes = await this.redis.smembers(ALL_KEYS_REDIS_KEY);
    if (hashes.length === 0) return [];
    const records = await this.redis.mget<(ApiKeyRecord | null)[]>(...hashes.map(apiKeyRedisKey));
    return hashes.flatMap((sha256, i) => (records[i] ? [{ sha256, record: records[i]! }] : []));
  }
}
