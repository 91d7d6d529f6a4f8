import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackendConfig, loadBackendConfig } from '../../region-backend/config.ts';
import type { AlignmentEngine } from '../../region-backend/engines/engine.ts';
import { ApiKeyService } from '../../region-backend/keys/api-key-service.ts';
import { openKeyStore } from '../../region-backend/keys/open-key-store.ts';
import { createLogger } from '../../region-backend/logging.ts';
import { type RunningBackend, startBackend } from '../../region-backend/server/backend.ts';

export interface TestBackend {
  backend: RunningBackend;
  config: BackendConfig;
  keys: ApiKeyService;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real backend (real HTTP server on 127.0.0.1, real decoding, real caches and key store)
 * in this process, with the engines the test hands in.
 */
export async function startTestBackend(
  engines: () => Promise<AlignmentEngine[]>,
  env: Record<string, string> = {},
): Promise<TestBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'falign-test-'));
  const config = loadBackendConfig({
    FA_PORT: '0',
    FA_DATA_DIR: dataDir,
    FA_LOG_LEVEL: 'silent',
    ...env,
  });
  const backend = await startBackend(config, { engines, logger: createLogger('silent') });
  await backend.engineReady;
  return {
    backend,
    config,
    keys: new ApiKeyService(openKeyStore(config).store),
    dataDir,
    stop: async () => {
      await backend.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
