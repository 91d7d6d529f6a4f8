import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './blob-store.ts';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Blobs as files under one directory; written to a temp name then renamed, so never half-read. */
export class FileBlobStore implements BlobStore {
  readonly kind = 'fs';
  private ready: Promise<unknown> | null = null;

  constructor(private readonly dir: string) {}

  async put(id: string, bytes: Uint8Array): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const path = this.path(id);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }

  async get(id: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.path(id)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  private path(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`bad blob id '${id.slice(0, 40)}'`);
    return join(this.dir, `${id}.bin`);
  }
}
