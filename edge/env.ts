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

/** What the align route prepared while the key and rate limit were being checked. */
export interface PreparedAlign {
  /** The body, buffered once; forwarded (and replayed on failover) as is. */
  body: Uint8Array;
  /** Regions in order of preference for this client. */
  ranked: RankedRegion[];
  /** A result-cache hit, with what is needed to render it. */
  hit: { result: AlignmentResult; transcript: string; format: OutputFormat } | null;
  /**
   * Milliseconds spent waiting on the body and on the cache look-up. Workers' clocks advance
   * only across I/O, so these are I/O waits, reported in `Server-Timing`.
   */
  timing: { bodyMs: number; cacheMs: number };
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
