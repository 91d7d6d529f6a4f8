import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiKeyRecord } from '../../shared/api-keys.ts';
import type { ApiKeyStore } from './api-key-store.ts';

/**
 * The embedded default: one JSON file `{ "<sha256>": record }`, re-read when it changes on disk
 * (so `falign keys create|revoke` takes effect in a running server within `reloadMs`), written
 * atomically (temp file + rename) with mode 0600.
 */
export class FileApiKeyStore implements ApiKeyStore {
  private cache: Record<string, ApiKeyRecord> | null = null;
  private loadedAt = 0;

  constructor(
    private readonly path: string,
    private readonly reloadMs = 1000,
  ) {}

  async find(sha256: string): Promise<ApiKeyRecord | null> {
    const all = await this.load();
    return Object.hasOwn(all, sha256) ? all[sha256]! : null;
  }

  async put(sha256: string, record: ApiKeyRecord): Promise<void> {
    const all = await this.load(true);
    all[sha256] = record;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    await rename(tmp, this.path);
    this.cache = all;
    this.loadedAt = Date.now();
  }

  async list(): Promise<Array<{ sha256: string; record: ApiKeyRecord }>> {
    const all = await this.load(true);
    return Object.entries(all).map(([sha256, record]) => ({ sha256, record }));
  }

  private async load(fresh = false): Promise<Record<string, ApiKeyRecord>> {
    if (!fresh && this.cache && Date.now() - this.loadedAt < this.reloadMs) return this.cache;
    try {
      this.cache = JSON.parse(await readFile(this.path, 'utf8')) as Record<string, ApiKeyRecord>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.cache = {};
    }
    this.loadedAt = Date.now();
    return this.cache;
  }
}
