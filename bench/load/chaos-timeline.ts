import type { RequestRecord } from './run-load.ts';

/** A moment of the chaos script (a kill, a restart, a pause), ms from the start of the load. */
export interface ChaosEvent {
  at: number;
  name: string;
}

/** A stretch of the run between two events, named for what was going on. */
export interface Phase {
  name: string;
  from: number;
  to: number;
}

/** Phases from consecutive events: each event starts the phase named after it. */
export function phasesOf(events: ChaosEvent[], end: number): Phase[] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const phases: Phase[] = [{ name: 'baseline', from: 0, to: sorted[0]?.at ?? end }];
  sorted.forEach((e, i) => {
    phases.push({ name: e.name, from: e.at, to: sorted[i + 1]?.at ?? end });
  });
  return phases.filter((p) => p.to > p.from);
}

/** When the request was sent (its answer time minus its latency). */
export const sentAt = (r: RequestRecord) => r.at - r.latencyMs;

export function phaseOf(phases: Phase[], at: number): string {
  return phases.find((p) => at >= p.from && at < p.to)?.name ?? phases[phases.length - 1]!.name;
}

/**
 * One word for what happened to a request: `200 us-east`, `200 edge-cache`, `202`, `429`,
 * `503+retry-after`, or the bare status for anything else.
 */
export function outcomeOf(r: RequestRecord): string {
  if (r.status === 200) return r.cache === 'HIT' ? '200 edge-cache' : `200 ${r.region ?? '?'}`;
  if (r.status === 503 || r.status === 429) {
    return r.retryAfter ? `${r.status}+retry-after` : `${r.status} (no retry-after)`;
  }
  return String(r.status);
}

/** Answers a client must never see: a 5xx other than a 503 with Retry-After, or a stray 4xx. */
export function isLost(r: RequestRecord): boolean {
  if (r.status < 400) return false;
  if (r.status === 429 || r.status === 503) return !r.retryAfter;
  return true;
}
