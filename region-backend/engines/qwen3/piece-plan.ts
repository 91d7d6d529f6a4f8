import { fixTimestamps } from './fix-timestamp.ts';
import { distributeUnits, splitAtQuietPoints } from './long-audio.ts';

/** One forward pass over part of one item: audio [start, end) in samples and some units. */
export interface PieceJob {
  item: number;
  start: number;
  end: number;
  /** Unit indices of the item, in order. */
  units: number[];
  /** The part of [start, end) this piece answers for (the rest is overlap), samples. */
  core: { start: number; end: number };
}

/** What one piece gave for its units: seconds from the start of the item. */
export interface PieceTimes {
  starts: number[];
  ends: number[];
  conf: number[];
  repaired: boolean[];
}

/** The merged timing of one unit of an item. */
export interface MergedUnit {
  start: number;
  end: number;
  conf: number;
  repaired: boolean;
  /** Length of the piece the time came from, samples. */
  pieceLength: number;
}

/**
 * Pieces of one item. A clip within `maxSeconds` is one piece with every unit. A longer clip is
 * cut at quiet points into cores of at most `maxSeconds - 2 * overlapSeconds`; each piece is its
 * core widened by the overlap on both sides (so at most `maxSeconds`) and holds the units the
 * core should hold by an even speaking rate, plus the units of the overlap on either side.
 */
export function planPieces(
  item: number,
  samples: Float32Array,
  unitLengths: readonly number[],
  maxSeconds: number,
  overlapSeconds: number,
  sampleRate: number,
): PieceJob[] {
  const n = unitLengths.length;
  if (n === 0) return [];
  if (samples.length <= maxSeconds * sampleRate) {
    const whole = { start: 0, end: samples.length };
    return [{ item, ...whole, units: range(0, n), core: whole }];
  }
  const overlap = Math.floor(overlapSeconds * sampleRate);
  const cores = splitAtQuietPoints(samples, {
    maxSeconds: maxSeconds - 2 * overlapSeconds,
    sampleRate,
  });
  const shares = distributeUnits(cores, unitLengths);
  const margin = Math.ceil((n * overlap) / samples.length);
  return cores.map((core, k) => {
    const [a, b] = shares[k]!;
    return {
      item,
      start: Math.max(0, core.start - overlap),
      end: Math.min(samples.length, core.end + overlap),
      units: range(Math.max(0, a - margin), Math.min(n, b + margin)),
      core,
    };
  });
}

/**
 * One timing per unit from overlapping pieces: a unit takes the piece whose core contains its
 * predicted midpoint (the one where it sits deepest inside the core when several do); a unit
 * no core claims takes the piece that held it by speaking rate. With several pieces the merged
 * times get the monotonic repair again, across piece boundaries.
 */
export function mergePieces(
  unitCount: number,
  jobs: readonly PieceJob[],
  times: readonly PieceTimes[],
  sampleRate: number,
): MergedUnit[] {
  const best: (MergedUnit & { depth: number })[] = new Array(unitCount);
  jobs.forEach((job, k) => {
    const t = times[k]!;
    const coreStart = job.core.start / sampleRate;
    const coreEnd = job.core.end / sampleRate;
    job.units.forEach((u, j) => {
      const mid = (t.starts[j]! + t.ends[j]!) / 2;
      const depth = Math.min(mid - coreStart, coreEnd - mid);
      const candidate = {
        start: t.starts[j]!,
        end: t.ends[j]!,
        conf: t.conf[j]!,
        repaired: t.repaired[j]!,
        pieceLength: job.end - job.start,
        depth,
      };
      const current = best[u];
      if (!current || depth > current.depth) best[u] = candidate;
    });
  });
  const merged = best.map(({ depth: _, ...m }) => m);
  if (jobs.length <= 1) return merged;
  const ms = merged.flatMap((m) => [Math.round(m.start * 1000), Math.round(m.end * 1000)]);
  const { values, repaired } = fixTimestamps(ms);
  return merged.map((m, u) => ({
    ...m,
    start: values[2 * u]! / 1000,
    end: values[2 * u + 1]! / 1000,
    repaired: m.repaired || repaired[2 * u]! || repaired[2 * u + 1]!,
  }));
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
