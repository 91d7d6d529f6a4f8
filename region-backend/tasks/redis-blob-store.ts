import type { Redis } from 'ioredis';
import type { BlobStore } from './blob-store.ts';

/**
 * Blobs in the region's Redis (FA_REDIS_URL), shared by its replicas. Each has a safety TTL
 * (the task TTL) so a blob whose task record vanished cannot linger.
 */
export class RedisBlobStore implements BlobStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = 'falign:blob:',
  ) {}

  async put(id: string, bytes: Uint8Array): Promise<void> {
    await this.redis.set(
      this.prefix + id,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      'EX',
      this.ttlSeconds,
    );
  }

  async get(id: string): Promise<Uint8Array | null> {
    const b = await this.redis.getBuffer(this.prefix + id);
    return b ? new Uint8Array(b) : null;
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.prefix + id);
  }
}
