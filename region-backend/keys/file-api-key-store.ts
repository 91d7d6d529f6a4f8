import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiKeyRecord } from '../../shared/api-keys.ts';
import type { ApiKeyStore } from './api-key-store.ts';

/**
 * The embedded default: one JSON file `{ "<sha256>": record }`, re-read whenever its mtime
 * changes (so `falign keys create|revoke` takes effect in a running server at once), written
 * atomically (temp file + rename) with mode 0600.
 */
export class FileApiKeyStore implements ApiKeyStore {
  private cache: Record<string, ApiKeyRecord> | null = null;
  private loadedMtimeMs = -1;

  constructor(private readonly path: string) {}

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
    this.loadedMtimeMs = (await stat(this.path)).mtimeMs;
  }

  async list(): Promise<Array<{ sha256: string; record: ApiKeyRecord }>> {
    const all = await this.load(true);
    return Object.entries(all).map(([sha256, record]) => ({ sha256, record }));
  }

  private async load(fresh = false): Promise<Record<string, ApiKeyRecord>> {
    let mtimeMs = 0;
    try {
      mtimeMs = (await stat(this.path)).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!fresh && this.cache && mtimeMs === this.loadedMtimeMs) return this.cache;
    try {
      this.cache = JSON.parse(await readFile(this.path, 'utf8')) as Record<string, ApiKeyRecord>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.cache = {};
    }
    this.loadedMtimeMs = mtimeMs;
    return this.cache;
  }
}
