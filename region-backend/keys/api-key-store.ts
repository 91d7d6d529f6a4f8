import type { ApiKeyRecord } from '../../shared/api-keys.ts';

/** Where API-key records live, keyed by the SHA-256 (hex) of the key. Keys themselves never are. */
export interface ApiKeyStore {
  find(sha256: string): Promise<ApiKeyRecord | null>;
  put(sha256: string, record: ApiKeyRecord): Promise<void>;
  list(): Promise<Array<{ sha256: string; record: ApiKeyRecord }>>;
}
