/**
 * A regional backend's health and load, written to global Redis every ~2 s with a TTL and
 * read by the edge to choose a region.
 */
export interface RegionBeacon {
  region: string;
  /** Base URL the edge forwards to, e.g. `https://us-east.api.example.com`. */
  url: string;
  latitude: number;
  longitude: number;
  healthy: boolean;
  ready: boolean;
  queue_depth: number;
  in_flight: number;
  breaker: 'closed' | 'open' | 'half-open';
  /** Recent p50 engine compute time per request, ms; null before the first request. */
  compute_p50_ms: number | null;
  /** GPU figures when a GPU is present; null otherwise, never invented. `utilization` is 0..1. */
  gpu: { memory_used_mb: number; memory_total_mb: number; utilization: number } | null;
  /** The engine this region serves by default; the edge needs it to compute cache keys. */
  engine: { name: string; model: string; revision: string };
  /** Unix ms when the beacon was written. */
  at: number;
}

export const BEACON_TTL_SECONDS = 10;
export const BEACON_INTERVAL_MS = 2000;
/** One key per region; the edge reads them all via the index set. */
export const beaconRedisKey = (region: string) => `falign:beacon:${region}`;
export const BEACON_INDEX_KEY = 'falign:beacons';
