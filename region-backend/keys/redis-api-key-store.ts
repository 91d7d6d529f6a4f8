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
 * Records found are remembered for `rememberMs` (a revocation made elsewhere takes effect
 * within that time, as at the edge), so known tenants keep working through a short outage of
 * the store. A lookup that does not answer within `timeoutMs` is a 503: unknown keys fail
 * closed, never open.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  private readonly remembered: LRUCache<string, ApiKeyRecord>;

  constructor(
    private readonly redis: Redis,
    options: { timeoutMs?: number; rememberMs?: number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.remembered = new LRUCache({ max: 10_000, ttl: Math.max(1, options.rememberMs ?? 30_000) });
  }

  private readonly timeoutMs: number;

  async find(sha256: string): Promise<ApiKeyRecord | null> {
    const known = this.remembered.get(sha256);
    if (known) return known;
    const record = await this.lookup(sha256);
    if (record) this.remembered.set(sha256, record);
    return record;
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
