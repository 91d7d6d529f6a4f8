/**
 * Best normalised cross-correlation of `a` against `b` over lags up to `maxLag` samples,
 * over the first `length` samples: 1 means the same waveform (up to gain), ~0 unrelated.
 */
export function bestCorrelation(
  a: Float32Array,
  b: Float32Array,
  maxLag: number,
): { value: number; lag: number } {
  const n = Math.min(a.length, b.length) - 2 * maxLag;
  let best = { value: -1, lag: 0 };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = maxLag; i < maxLag + n; i++) {
      const x = a[i]!;
      const y = b[i + lag]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    const value = ab / Math.sqrt(aa * bb || 1);
    if (value > best.value) best = { value, lag };
  }
  return best;
}
