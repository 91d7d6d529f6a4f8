import { describe, expect, it } from 'vitest';
import { type Frames, warp } from '../../region-backend/engines/dtw/dtw.ts';

/** A smooth random feature track (a random walk per dimension), reproducible. */
function track(count: number, dims: number, seed: number): Frames {
  let s = seed;
  const random = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const values = new Float32Array(count * dims);
  const state = new Float64Array(dims);
  for (let f = 0; f < count; f++) {
    for (let d = 0; d < dims; d++) {
      state[d] = 0.9 * state[d]! + random();
      values[f * dims + d] = state[d]!;
    }
  }
  return { values, count, dims };
}

/** `x` played back along `source(j)`: frame j of the result is frame round(source(j)) of x. */
function warped(x: Frames, count: number, source: (j: number) => number): Frames {
  const values = new Float32Array(count * x.dims);
  for (let j = 0; j < count; j++) {
    const i = Math.min(x.count - 1, Math.max(0, Math.round(source(j))));
    values.set(x.values.subarray(i * x.dims, (i + 1) * x.dims), j * x.dims);
  }
  return { values, count, dims: x.dims };
}

describe('multi-resolution DTW', () => {
  it('recovers a known non-linear warp', () => {
    const a = track(3000, 8, 7);
    // Slow first half (x1.5), fast second half (x0.75).
    const source = (j: number) => (j < 2250 ? j / 1.5 : 1500 + (j - 2250) / 0.75);
    const b = warped(a, 3375, source);
    const path = warp(a, b);
    let off = 0;
    for (let s = 0; s < path.rows.length; s++) {
      if (Math.abs(path.rows[s]! - source(path.cols[s]!)) > 3) off++;
    }
    expect(off / path.rows.length).toBeLessThan(0.02);
    expect(path.rows[0]).toBe(0);
    expect(path.cols.at(-1)).toBe(3374);
  });

  it('stays linear in memory on long sequences (5 minutes of 10 ms frames)', () => {
    const a = track(30_000, 4, 3);
    const b = warped(a, 33_000, (j) => j / 1.1);
    const path = warp(a, b);
    // A full matrix would be 30,000 x 33,000 = 990 M cells; the window keeps a few hundred per row.
    expect(path.cells).toBeLessThan(30_000 * 250);
    for (let s = 1; s < path.rows.length; s++) {
      expect(path.rows[s]! - path.rows[s - 1]!).toBeGreaterThanOrEqual(0);
      expect(path.cols[s]! - path.cols[s - 1]!).toBeGreaterThanOrEqual(0);
    }
  });
});
