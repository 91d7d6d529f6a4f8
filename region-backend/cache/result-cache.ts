import type { Redis } from '@upstash/redis';
import { LRUCache } from 'lru-cache';
import type { CachedAlignment } from '../../shared/alignment.ts';

export type CacheLayer = 'local' | 'global';

/** A result cache layer. Lookups never throw: a layer that cannot answer is a miss. */
export interface ResultCache {
  get(key: string): Promise<CachedAlignment | null>;
  set(key: string, value: CachedAlignment): Promise<void>;
}

export interface CacheObserver {
  lookup(layer: CacheLayer, hit: boolean): void;
  error?(layer: CacheLayer, err: unknown): void;
}

/** In-process LRU with a TTL: the embedded default. */
export class LocalResultCache implements ResultCache {
  private readonly lru: LRUCache<string, CachedAlignment>;

  constructor(maxEntries: number, ttlSeconds: number) {
    this.lru = new LRUCache({ max: Math.max(1, maxEntries), ttl: ttlSeconds * 1000 });
  }

  async get(key: string): Promise<CachedAlignment | null> {
    return this.lru.get(key) ?? null;
  }

  async set(key: string, value: CachedAlignment): Promise<void> {
    this.lru.set(key, value);
  }
}

/**
 * The global cache in Upstash Redis, shared by every region and the edge. Each call has a
 * deadline: a slow or paused Redis costs a request at most `timeoutMs`, then counts as a miss
 * (reads) or is dropped (writes) — the cache is an optimisation, never a dependency.
 */
export class GlobalResultCache implements ResultCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly timeoutMs = 300,
  ) {}

  async get(key: string): Promise<CachedAlignment | null> {
    return (await withDeadline(this.redis.get<CachedAlignment>(key), this.timeoutMs)) ?? null;
  }

  async set(key: string, value: CachedAlignment): Promise<void> {
    await withDeadline(
      this.redis.set(key, JSON.stringify(value), { ex: this.ttlSeconds }),
      this.timeoutMs,
    );
  }
}

/** Local first, then global (a global hit is copied into the local layer). */
export class TieredResultCache implements ResultCache {
  constructor(
    private readonly layers: Array<{ layer: CacheLayer; cache: ResultCache }>,
    private readonly observer: CacheObserver = { lookup() {} },
  ) {}

  async get(key: string): Promise<CachedAlignment | null> {
    const missed: ResultCache[] = [];
    for (const { layer, cache } of this.layers) {
      let value: CachedAlignment | null = null;
      try {
        value = await cache.get(key);
      } catch (err) {
        this.observer.error?.(layer, err);
      }
      this.observer.lookup(layer, value !== null);
      if (value) {
        for (const m of missed) void m.set(key, value).catch(() => {});
        return value;
      }
      missed.push(cache);
    }
    return null;
  }

  async set(key: string, value: CachedAlignment): Promise<void> {
    await Promise.all(
      this.layers.map(({ layer, cache }) =>
        cache.set(key, value).catch((err: unknown) => this.observer.error?.(layer, err)),
      ),
    );
  }
}

class DeadlineError extends Error {
  override name = 'DeadlineError';
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineError(`global cache did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
