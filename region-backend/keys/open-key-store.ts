import { join } from 'node:path';
import type { BackendConfig } from '../config.ts';
import { openGlobalStore } from '../global-store.ts';
import type { ApiKeyStore } from './api-key-store.ts';
import { FileApiKeyStore } from './file-api-key-store.ts';
import { RedisApiKeyStore } from './redis-api-key-store.ts';

/** Global Redis when configured (shared with the edge), else the local key file. */
export function openKeyStore(
  config: Pick<BackendConfig, 'upstashUrl' | 'upstashToken' | 'keysFile' | 'dataDir'>,
): { store: ApiKeyStore; where: string } {
  const redis = openGlobalStore(config);
  if (redis)
    return {
      store: new RedisApiKeyStore(redis),
      where: `global store ${new URL(config.upstashUrl!).host}`,
    };
  const path = config.keysFile ?? join(config.dataDir, 'api-keys.json');
  return { store: new FileApiKeyStore(path), where: path };
}
