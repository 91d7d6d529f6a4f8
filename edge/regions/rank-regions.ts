import type { RegionBeacon } from '../../shared/beacon.ts';
import { type GeoPoint, greatCircleKm } from './great-circle.ts';

/**
 * How much load weighs against distance, in km: one queued request costs as much as 250 km,
 * a fully busy GPU as much as 3000 km, a half-open breaker (a region testing its recovery)
 * as much as 5000 km. Distance dominates; load breaks near-ties and steers away from a
 * saturated region.
 */
export const LOAD_PENALTY_KM = {
  perQueued: 250,
  perInFlight: 50,
  gpuUtilisation: 3000,
  gpuMemory: 1000,
  halfOpenBreaker: 5000,
} as const;

export interface RankedRegion {
  beacon: RegionBeacon;
  /** km from the client, or null when the client's location is unknown. */
  distanceKm: number | null;
  score: number;
}

/** True when a beacon can take traffic: fresh, healthy, ready, breaker not open. */
export function isUsable(b: RegionBeacon, now: number, staleMs: number): boolean {
  return now - b.at <= staleMs && b.healthy && b.ready && b.breaker !== 'open';
}

/**
 * Orders usable regions for a client: great-circle distance plus load penalties, lowest
 * first. Unusable regions are dropped.
 */
export function rankRegions(
  beacons: readonly RegionBeacon[],
  client: GeoPoint | null,
  now: number,
  staleMs: number,
): RankedRegion[] {
  return beacons
    .filter((b) => isUsable(b, now, staleMs))
    .map((beacon) => {
      const distanceKm = client ? greatCircleKm(client, beacon) : null;
      return { beacon, distanceKm, score: (distanceKm ?? 0) + loadPenaltyKm(beacon) };
    })
    .sort((a, b) => a.score - b.score || a.beacon.region.localeCompare(b.beacon.region));
}

function loadPenaltyKm(b: RegionBeacon): number {
  let p =
    Math.max(0, b.queue_depth) * LOAD_PENALTY_KM.perQueued +
    Math.max(0, b.in_flight) * LOAD_PENALTY_KM.perInFlight;
  if (b.gpu) {
    p += Math.min(1, Math.max(0, b.gpu.utilization)) * LOAD_PENALTY_KM.gpuUtilisation;
    if (b.gpu.memory_total_mb > 0) {
      p += (b.gpu.memory_used_mb / b.gpu.memory_total_mb) * LOAD_PENALTY_KM.gpuMemory;
    }
  }
  if (b.breaker === 'half-open') p += LOAD_PENALTY_KM.halfOpenBreaker;
  return p;
}
