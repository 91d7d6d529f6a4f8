/** A piece of a long clip: [start, end) in samples. */
export interface AudioPiece {
  start: number;
  end: number;
}

export interface SplitOptions {
  sampleRate: number;
  /** Longest piece, seconds (the official long-audio path uses 180 s). */
  maxSeconds: number;
  /** How far before the limit to look for a quiet cut, seconds (official: 5 s either side). */
  searchSeconds: number;
  /** Length of the energy window that finds the quietest point, seconds (official: 0.1 s). */
  windowSeconds: number;
}

export const LONG_AUDIO_DEFAULTS: SplitOptions = {
  sampleRate: 16_000,
  maxSeconds: 180,
  searchSeconds: 10,
  windowSeconds: 0.1,
};

/**
 * Cuts a clip into pieces of at most `maxSeconds`, each cut at the quietest `windowSeconds`
 * window within the `searchSeconds` before the limit (so no piece ever exceeds it). A clip
 * within the limit is one piece.
 */
export function splitAtQuietPoints(
  samples: Float32Array,
  options: Partial<SplitOptions> = {},
): AudioPiece[] {
  const o = { ...LONG_AUDIO_DEFAULTS, ...options };
  const max = Math.floor(o.maxSeconds * o.sampleRate);
  const win = Math.max(1, Math.floor(o.windowSeconds * o.sampleRate));
  const search = Math.floor(o.searchSeconds * o.sampleRate);
  const pieces: AudioPiece[] = [];
  let start = 0;
  while (samples.length - start > max) {
    const limit = start + max;
    const from = Math.max(start + win, limit - search);
    let best = limit;
    let bestEnergy = Number.POSITIVE_INFINITY;
    // Windows end at or before the limit; the cut is the window's middle.
    for (let s = from - win; s + win <= limit; s += Math.max(1, win >> 2)) {
      let e = 0;
      for (let i = s; i < s + win; i++) e += samples[i]! * samples[i]!;
      if (e < bestEnergy) {
        bestEnergy = e;
        best = s + (win >> 1);
      }
    }
    pieces.push({ start, end: best });
    start = best;
  }
  pieces.push({ start, end: samples.length });
  return pieces;
}

/**
 * Hands each piece a contiguous share of the units, in proportion to time, assuming an even
 * speaking rate: unit i (weighted by its length) goes to the piece covering its expected time.
 * Returns, per piece, [firstUnit, endUnit).
 */
export function distributeUnits(
  pieces: readonly AudioPiece[],
  unitLengths: readonly number[],
): [number, number][] {
  const total = pieces[pieces.length - 1]!.end - pieces[0]!.start;
  const weight = unitLengths.reduce((a, b) => a + b, 0) || 1;
  const out: [number, number][] = [];
  let unit = 0;
  let acc = 0;
  pieces.forEach((p, k) => {
    const first = unit;
    const share = (p.end - pieces[0]!.start) / total;
    if (k === pieces.length - 1) unit = unitLengths.length;
    else {
      while (unit < unitLengths.length && (acc + unitLengths[unit]! / 2) / weight <= share) {
        acc += unitLengths[unit]!;
        unit++;
      }
    }
    out.push([first, unit]);
  });
  return out;
}
