import type { AlignmentResult } from '../shared/alignment.ts';
import type { OutputFormat } from '../shared/schemas.ts';
import type { EdgeBindings } from './config.ts';
import type { RankedRegion } from './regions/rank-regions.ts';

/** Who is calling, set by the API key middleware. */
export interface Caller {
  tenant: string;
  keyId: string;
  rateLimit: { requests: number; window_seconds: number };
}

/** A result-cache hit, with what is needed to render it. */
export interface CacheHit {
  result: AlignmentResult;
  transcript: string;
  format: OutputFormat;
}

/** What the align route prepared while the key and rate limit were being checked. */
export interface PreparedAlign {
  /** The body, buffered once; forwarded (and replayed on failover) as is. */
  body: Uint8Array;
  /** Regions in order of preference for this client. */
  ranked: RankedRegion[];
  /** A hit held in the isolate: answered without any I/O. */
  hit: CacheHit | null;
  /** The global-cache read under way (never rejects; null is a miss), or null when not looked up. */
  globalHit: Promise<CacheHit | null> | null;
  /**
   * Milliseconds spent waiting on the body and on the global-cache read (set once it settles).
   * Workers' clocks advance only across I/O, so these are I/O waits, reported in
   * `Server-Timing`.
   */
  timing: { bodyMs: number; cacheMs: number | null };
}

/** Hono environment of the edge app. */
export interface EdgeEnv {
  Bindings: EdgeBindings;
  Variables: {
    requestId: string;
    caller: Caller;
    alignPrep: Promise<PreparedAlign>;
  };
}
