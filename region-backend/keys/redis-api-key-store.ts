import type { Redis } from '@upstash/redis';
import {
  ALL_KEYS_REDIS_KEY,
  type ApiKeyRecord,
  apiKeyRedisKey,
  tenantKeysRedisKey,
} from '../../shared/api-keys.ts';
import type { ApiKeyStore } from './api-key-store.ts';

/** API keys in global Redis (Upstash REST), where the edge reads them too. */
export class RedisApiKeyStore implements ApiKeyStore {
  constructor(private readonly redis: Redis) {}

  async find(sha256: string): Promise<ApiKeyRecord | null> {
    return (await this.redis.get<ApiKeyRecord>(apiKeyRedisKey(sha256))) ?? null;
  }

  async put(sha256: string, record: ApiKeyRecord): Promise<void> {
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
