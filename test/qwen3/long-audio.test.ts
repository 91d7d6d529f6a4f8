import { describe, expect, it } from 'vitest';
import { findCollapsedRuns } from '../../region-backend/engines/qwen3/collapse.ts';
import {
  distributeUnits,
  splitAtQuietPoints,
} from '../../region-backend/engines/qwen3/long-audio.ts';
import { mergePieces, planPieces } from '../../region-backend/engines/qwen3/piece-plan.ts';

const SR = 16_000;

/** Loud noise-like signal with silent gaps at the given seconds (0.5 s each). */
function speechWithGaps(seconds: number, gaps: number[]): Float32Array {
  const s = new Float32Array(seconds * SR);
  let x = 12345;
  for (let i = 0; i < s.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s[i] = (x / 2 ** 32 - 0.5) * 0.6;
  }
  for (const g of gaps) s.fill(0, Math.round(g * SR), Math.round((g + 0.5) * SR));
  return s;
}

describe('long audio', () => {
  it('keeps a clip within the limit whole', () => {
    expect(splitAtQuietPoints(new Float32Array(100 * SR))).toEqual([{ start: 0, end: 100 * SR }]);
  });
  it('cuts at the quiet point before each limit, never over it', () => {
    const s = speechWithGaps(400, [172, 345]);
    const pieces = splitAtQuietPoints(s);
    expect(pieces).toHaveLength(3);
    expect(pieces[0]!.start).toBe(0);
    expect(pieces[2]!.end).toBe(s.length);
    for (const [i, p] of pieces.entries()) {
      expect(p.end - p.start).toBeLessThanOrEqual(180 * SR);
      if (i > 0) expect(p.start).toBe(pieces[i - 1]!.end);
    }
    expect(pieces[0]!.end / SR).toBeGreaterThan(172);
    expect(pieces[0]!.end / SR).toBeLessThan(172.5);
    expect(pieces[1]!.end / SR).toBeGreaterThan(345);
    expect(pieces[1]!.end / SR).toBeLessThan(345.5);
  });
  it('shares units out in proportion to time, contiguously, all of them', () => {
    const pieces = [
      { start: 0, end: 100 },
      { start: 100, end: 300 },
      { start: 300, end: 400 },
    ];
    const shares = distributeUnits(pieces, new Array(40).fill(5));
    expect(shares).toEqual([
      [0, 10],
      [10, 30],
      [30, 40],
    ]);
  });
  it('finds runs of identical times (collapse) of at least the given length', () => {
    const starts = [1, 2, 5, 5, 5, 5, 6, 7, 7, 7];
    const ends = [2, 3, 5, 5, 5, 5, 7, 7, 7, 7];
    expect(findCollapsedRuns(starts, ends, 4)).toEqual([[2, 6]]);
    expect(findCollapsedRuns(starts, ends, 3)).toEqual([
      [2, 6],
      [7, 10],
    ]);
    expect(findCollapsedRuns([1, 2, 3], [1, 2, 3], 2)).toEqual([]);
  });
});

describe('overlapping pieces', () => {
  const SR2 = 1000;
  it('a clip within the limit is one piece with every unit', () => {
    const jobs = planPieces(0, new Float32Array(50 * SR2), [3, 3, 3], 180, 10, SR2);
    expect(jobs).toEqual([
      { item: 0, start: 0, end: 50 * SR2, units: [0, 1, 2], core: { start: 0, end: 50 * SR2 } },
    ]);
  });
  it('long clips: pieces within the limit, cores tiling the clip, units overlapping', () => {
    const samples = new Float32Array(400 * SR2).fill(0.1);
    const jobs = planPieces(3, samples, new Array(100).fill(4), 180, 10, SR2);
    expect(jobs.length).toBeGreaterThan(2);
    for (const [k, j] of jobs.entries()) {
      expect(j.item).toBe(3);
      expect(j.end - j.start).toBeLessThanOrEqual(180 * SR2);
      expect(j.start).toBeLessThanOrEqual(j.core.start);
      expect(j.end).toBeGreaterThanOrEqual(j.core.end);
      if (k > 0) {
        expect(j.core.start).toBe(jobs[k - 1]!.core.end);
        expect(j.units[0]!).toBeLessThan(jobs[k - 1]!.units.at(-1)! + 1);
      }
    }
    expect(new Set(jobs.flatMap((j) => j.units)).size).toBe(100);
  });
  it('merge: each unit from the piece whose core holds it deepest, then one global repair', () => {
    const jobs = [
      { item: 0, start: 0, end: 12, units: [0, 1, 2], core: { start: 0, end: 10 } },
      { item: 0, start: 8, end: 20, units: [1, 2, 3], core: { start: 10, end: 20 } },
    ];
    const times = [
      {
        starts: [1, 5, 11.9],
        ends: [2, 6, 12],
        conf: [0.9, 0.8, 0.1],
        repaired: [false, false, false],
      },
      {
        starts: [8, 13, 15],
        ends: [8, 14, 16],
        conf: [0.2, 0.7, 0.6],
        repaired: [false, false, false],
      },
    ];
    const merged = mergePieces(4, jobs, times, 1);
    expect(merged.map((m) => [m.start, m.end])).toEqual([
      [1, 2],
      [5, 6],
      [13, 14],
      [15, 16],
    ]);
    expect(merged.map((m) => m.conf)).toEqual([0.9, 0.8, 0.7, 0.6]);
  });
});
