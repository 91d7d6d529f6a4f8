/**
 * Median fundamental frequency (Hz) of the voiced frames of a signal, by normalised
 * autocorrelation on a sample of frames; null when too little of it is voiced. Used only to
 * pick a template voice of about the speaker's pitch (a female recording warps far better
 * onto a female template).
 */
export function medianPitch(
  samples: Float32Array,
  sampleRate: number,
  speech: Uint8Array,
  frameSeconds: number,
  maxFrames = 240,
): number | null {
  // Work at ~8 kHz: plenty for 70-400 Hz and four times cheaper.
  const step = Math.max(1, Math.round(sampleRate / 8000));
  const rate = sampleRate / step;
  const window = Math.round(0.04 * rate);
  const minLag = Math.floor(rate / 400);
  const maxLag = Math.ceil(rate / 70);
  const candidates: number[] = [];
  for (let f = 0; f < speech.length; f++) if (speech[f]) candidates.push(f);
  if (candidates.length < 5) return null;
  const stride = Math.max(1, Math.floor(candidates.length / maxFrames));
  const x = new Float64Array(window + maxLag);
  const pitches: number[] = [];
  for (let c = 0; c < candidates.length; c += stride) {
    const centre = Math.round(candidates[c]! * frameSeconds * sampleRate);
    const start = centre - Math.floor(((window + maxLag) * step) / 2);
    if (start < 0 || start + (window + maxLag) * step > samples.length) continue;
    let mean = 0;
    for (let i = 0; i < x.length; i++) {
      x[i] = samples[start + i * step]!;
      mean += x[i]!;
    }
    mean /= x.length;
    for (let i = 0; i < x.length; i++) x[i]! -= mean;
    let e0 = 0;
    for (let i = 0; i < window; i++) e0 += x[i]! * x[i]!;
    if (e0 <= 0) continue;
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let r = 0;
      let el = 0;
      for (let i = 0; i < window; i++) {
        r += x[i]! * x[i + lag]!;
        el += x[i + lag]! * x[i + lag]!;
      }
      const score = r / Math.sqrt(e0 * el + 1e-12);
      if (score > best) {
        best = score;
        bestLag = lag;
      }
    }
    if (best > 0.6) pitches.push(rate / bestLag);
  }
  if (pitches.length < 5) return null;
  pitches.sort((a, b) => a - b);
  return pitches[pitches.length >> 1]!;
}
