import type { Redis } from '@upstash/redis';
import { LRUCache } from 'lru-cache';
import {
  type AlignedWord,
  type AlignmentResult,
  buildWords,
  type CachedAlignment,
} from '../../shared/alignment.ts';
import { resultCacheKey } from '../../shared/cache-key.ts';
import type { Language } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import type { KnownPartLength } from '../align/multipart-fields.ts';
import { KnownUploads } from './known-uploads.ts';

export interface CacheLookup {
  engine: { name: string; revision: string };
  language: Language;
  /** The audio as uploaded (the key holds its SHA-256). */
  audio: Uint8Array;
  /** The transcript exactly as sent: the words' offsets point into it. */
  text: string;
}

/** An entry held in the isolate, with the shape `mayHoldLocally` indexes it by. */
interface LocalEntry {
  cached: CachedAlignment;
  shape: string;
  /** The words last built from it, for that exact transcript (a repeat reuses them). */
  built?: { text: string; words: AlignedWord[] };
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
  /** The uploads of the entries held here, so a repeated one is not hashed again. */
  readonly #uploads = new KnownUploads();
  /** Cache keys of recent look-ups, so a repeated one does not hash its transcript again. */
  readonly #keys = new LRUCache<string, string>({
    max: 4096,
    maxSize: 2 * 1024 * 1024,
    sizeCalculation: (key, lookup) => lookup.length + key.length,
  });

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

  /** Lets a multipart parser skip over an upload of an entry held here (see KnownUploads). */
  get knownPartLength(): KnownPartLength {
    return this.#uploads.partLength;
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
  async probe(q: CacheLookup): Promise<CacheProbe> {
    const audioSha256 = await this.#uploads.sha256(q.audio);
    const lookup = `${q.engine.name}\u0000${q.engine.revision}\u0000${q.language}\u0000${audioSha256}\u0000${q.text}`;
    let key = this.#keys.get(lookup);
    if (key === undefined) {
      key = await resultCacheKey({
        engine: q.engine.name,
        revision: q.engine.revision,
        language: q.language,
        audioSha256,
        text: q.text,
      });
      this.#keys.set(lookup, key);
    }
    const local = this.#local.get(key);
    if (local) {
      const result = this.#toResult(local.cached, q, local);
      if (result) return { local: result };
    }
    return {
      global: this.#readGlobal(key).then((cached) => {
        const result = cached ? this.#toResult(cached, q) : null;
        if (result) {
          const shape = shapeOf(q.audio.byteLength, q.language, q.text);
          this.#local.set(key, { cached: cached!, shape });
          // Counted once held: an entry too large to keep is refused without a dispose.
          if (this.#local.has(key)) {
            this.#shapes.set(shape, (this.#shapes.get(shape) ?? 0) + 1);
            this.#uploads.remember(q.audio, audioSha256);
          }
        }
        return result;
      }),
    };
  }

  /**
   * The public result for the transcript as sent, or null when the entry does not fit it. The
   * words of a held entry are kept for its last transcript: renderers only read them.
   */
  #toResult(cached: CachedAlignment, q: CacheLookup, held?: LocalEntry): AlignmentResult | null {
    let words = held?.built?.text === q.text ? held.built.words : null;
    if (!words) {
      if (!Array.isArray(cached.timings)) return null;
      const units = unitsFor(q.text, q.language);
      // Units that no longer match (another segmenter version wrote it) are a miss, not an error.
      if (units.length === 0 || units.length !== cached.timings.length) return null;
      words = buildWords(q.text, units, cached.timings, cached.duration);
      if (held) held.built = { text: q.text, words };
    }
    return {
      task_id: `task_${crypto.randomUUID()}`,
      language: q.language,
      duration: Math.round(cached.duration * 1000) / 1000,
      engine: cached.engine,
      words,
      cached: true,
      timing: { queue_ms: 0, compute_ms: 0 },
    };
  }

  /** The entry in global Redis; a miss when Redis fails or is slower than the client's bound. */
  #readGlobal(key: string): Promise<CachedAlignment | null> {
    return this.#redis.get<CachedAlignment>(key).catch(() => null);
  }
}
