import type { Redis } from '@upstash/redis';
import { LRUCache } from 'lru-cache';
import { type AlignmentResult, buildWords, type CachedAlignment } from '../../shared/alignment.ts';
import { resultCacheKey } from '../../shared/cache-key.ts';
import type { Language } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';

export interface CacheLookup {
  engine: { name: string; revision: string };
  language: Language;
  audioSha256: string;
  /** The transcript exactly as sent: the words' offsets point into it. */
  text: string;
}

/** An entry held in the isolate, with the shape `mayHoldLocally` indexes it by. */
interface LocalEntry {
  cached: CachedAlignment;
  shape: string;
}

const shapeOf = (audioBytes: number, language: Language, text: string) =>
  `${audioBytes}\u0000${language}\u0000${text}`;

/** A look-up's first answer: a hit from the isolate, or the global read under way. */
export type CacheProbe = { local: AlignmentResult } | { global: Promise<AlignmentResult | null> };

/**
 * The global result cache read at the edge (DESIGN §2 step 3). Entries are engine output per
 * unit (CachedAlignment); the public result is rebuilt here for the transcript as sent. A
 * lookup never fails a request: a slow or broken Redis is a miss.
 *
 * Hot entries are also kept in the isolate (bounded by size, well inside the 128 MB isolate
 * limit), so a repeated hit costs no Redis round trip. An entry never changes once written
 * (its key names the engine revision), so keeping it locally cannot serve a stale result.
 */
export class EdgeResultCache {
  readonly #redis: Redis;
  readonly #local: LRUCache<string, LocalEntry>;
  /** Entries held in the isolate per (audio length, language, transcript): see `mayHoldLocally`. */
  readonly #shapes = new Map<string, number>();

  constructor(redis: Redis, localBytes = 8 * 1024 * 1024, localTtlMs = 300_000) {
    this.#redis = redis;
    this.#local = new LRUCache<string, LocalEntry>({
      maxSize: localBytes,
      // Rough bytes of an entry: its timings dominate.
      sizeCalculation: (v) => 256 + v.cached.timings.length * 64 + v.shape.length * 2,
      ttl: localTtlMs,
      // Every way out of the cache (evicted, expired, replaced) takes its count with it.
      dispose: (v) => {
        const n = (this.#shapes.get(v.shape) ?? 1) - 1;
        if (n > 0) this.#shapes.set(v.shape, n);
        else this.#shapes.delete(v.shape);
      },
    });
  }

  /**
   * Whether the isolate may hold a hit for this upload, known without hashing the audio: false
   * means it certainly does not (no entry has this audio length, language and transcript), so
   * the caller can forward at once and let the hash and the global read run alongside.
   */
  mayHoldLocally(audioBytes: number, language: Language, text: string): boolean {
    return this.#shapes.has(shapeOf(audioBytes, language, text));
  }

  /**
   * Looks `q` up: a hit held in the isolate is answered at once (`local`), otherwise the global
   * read is started and returned unawaited (`global`), so the caller can overlap it with other
   * work. The global promise never rejects: a slow or broken Redis is a miss.
   */
  async probe(q: CacheLookup & { audioBytes: number }): Promise<CacheProbe> {
    const key = await resultCacheKey({
      engine: q.engine.name,
      revision: q.engine.revision,
      language: q.language,
      audioSha256: q.audioSha256,
      text: q.text,
    });
    const local = this.#local.get(key);
    if (local) {
      const result = this.#toResult(local.cached, q);
      if (result) return { local: result };
    }
    return {
      global: this.#readGlobal(key).then((cached) => {
        const result = cached ? this.#toResult(cached, q) : null;
        if (result) {
          const shape = shapeOf(q.audioBytes, q.language, q.text);
          this.#local.set(key, { cached: cached!, shape });
          // Counted once held: an entry too large to keep is refused without a dispose.
          if (this.#local.has(key)) this.#shapes.set(shape, (this.#shapes.get(shape) ?? 0) + 1);
        }
        return result;
      }),
    };
  }

  /** The public result for the transcript as sent, or null when the entry does not fit it. */
  #toResult(cached: CachedAlignment, q: CacheLookup): AlignmentResult | null {
    if (!Array.isArray(cached.timings)) return null;
    const units = unitsFor(q.text, q.language);
    // Units that no longer match (another segmenter version wrote it) are a miss, not an error.
    if (units.length === 0 || units.length !== cached.timings.length) return null;
    return {
      task_id: `task_${crypto.randomUUID()}`,
      language: q.language,
      duration: Math.round(cached.duration * 1000) / 1000,
      engine: cached.engine,
      words: buildWords(q.text, units, cached.timings, cached.duration),
      cached: true,
      timing: { queue_ms: 0, compute_ms: 0 },
    };
  }

  /** The entry in global Redis; a miss when Redis fails or is slower than the client's bound. */
  #readGlobal(key: string): Promise<CachedAlignment | null> {
    return this.#redis.get<CachedAlignment>(key).catch(() => null);
  }
}
