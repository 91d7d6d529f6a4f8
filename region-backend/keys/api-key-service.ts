import { timingSafeEqual } from 'node:crypto';
import {
  type ApiKeyRecord,
  apiKeySha256,
  generateApiKey,
  keyIdFromHash,
  looksLikeApiKey,
} from '../../shared/api-keys.ts';
import type { ApiKeyStore } from './api-key-store.ts';

export interface CreatedKey {
  /** Shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

/** Creates, lists, revokes and checks API keys over any ApiKeyStore. */
export class ApiKeyService {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: {
    tenant: string;
    name?: string;
    requests?: number;
    windowSeconds?: number;
  }): Promise<CreatedKey> {
    const key = generateApiKey();
    const sha256 = apiKeySha256(key);
    const record: ApiKeyRecord = {
      id: keyIdFromHash(sha256),
      tenant: input.tenant,
      name: input.name ?? '',
      rate_limit: { requests: input.requests ?? 60, window_seconds: input.windowSeconds ?? 60 },
      created_at: this.now().toISOString(),
      revoked_at: null,
    };
    await this.store.put(sha256, record);
    return { key, record };
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.store.list()).map((e) => e.record);
  }

  /** Revokes by public id (`key_...`). Returns the record, or null when no key has that id. */
  async revoke(id: string): Promise<ApiKeyRecord | null> {
    const entry = (await this.store.list()).find((e) => e.record.id === id);
    if (!entry) return null;
    const record = {
      ...entry.record,
      revoked_at: entry.record.revoked_at ?? this.now().toISOString(),
    };
    await this.store.put(entry.sha256, record);
    return record;
  }

  /**
   * The record of a live key, or null. Lookup is by hash, so the store never compares secrets;
   * the hash found is checked again in constant time against the one computed.
   */
  async verify(key: string): Promise<ApiKeyRecord | null> {
    if (!looksLikeApiKey(key)) return null;
    const sha256 = apiKeySha256(key);
    const record = await this.store.find(sha256);
    if (!record || record.revoked_at) return null;
    const expected = Buffer.from(keyIdFromHash(sha256));
    const actual = Buffer.from(record.id);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    return record;
  }
}
