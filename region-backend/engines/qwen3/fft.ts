/**
 * Mixed-radix complex FFT (float64) for any length whose prime factors are small, such as the
 * 400-point frames of the Whisper front end (400 = 2^4 x 5^2): a precomputed input
 * permutation, then iterative decimation-in-time stages. Not thread-safe (scratch buffers).
 */
export class Fft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly perm: Int32Array;
  /** Stages from the innermost out: radix p combining sub-transforms of length m. */
  private readonly stages: { p: number; m: number }[];
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;

  constructor(readonly size: number) {
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      this.cos[j] = Math.cos((2 * Math.PI * j) / size);
      this.sin[j] = -Math.sin((2 * Math.PI * j) / size);
    }
    const factors: number[] = [];
    let n = size;
    for (let p = 2; n > 1; ) {
      if (n % p === 0) {
        factors.push(p);
        n /= p;
      } else p += 1;
    }
    const perm: number[] = [];
    const order = (offset: number, stride: number, len: number, level: number): void => {
      if (len === 1) {
        perm.push(offset);
        return;
      }
      const p = factors[level]!;
      for (let r = 0; r < p; r++) order(offset + r * stride, stride * p, len / p, level + 1);
    };
    order(0, 1, size, 0);
    this.perm = Int32Array.from(perm);
    this.stages = [];
    let m = 1;
    for (let level = factors.length - 1; level >= 0; level--) {
      this.stages.push({ p: factors[level]!, m });
      m *= factors[level]!;
    }
    this.bufRe = new Float64Array(size);
    this.bufIm = new Float64Array(size);
    const maxP = Math.max(1, ...factors);
    this.tRe = new Float64Array(maxP);
    this.tIm = new Float64Array(maxP);
  }

  /** Transforms (re, im) of length `size` in place. */
  transform(re: Float64Array, im: Float64Array): void {
    const N = this.size;
    const dRe = this.bufRe;
    const dIm = this.bufIm;
    for (let i = 0; i < N; i++) {
      const j = this.perm[i]!;
      dRe[i] = re[j]!;
      dIm[i] = im[j]!;
    }
    const { cos, sin, tRe, tIm } = this;
    for (const { p, m } of this.stages) {
      const span = p * m;
      const twStep = N / span;
      const rootStep = N / p;
      for (let base = 0; base < N; base += span) {
        for (let k = 0; k < m; k++) {
          // Twiddled inputs x_r = W_span^{r k} * Y_r[k].
          for (let r = 0; r < p; r++) {
            const at = base + r * m + k;
            const idx = r * k * twStep;
            const c = cos[idx]!;
            const s = sin[idx]!;
            tRe[r] = dRe[at]! * c - dIm[at]! * s;
            tIm[r] = dRe[at]! * s + dIm[at]! * c;
          }
          // p-point DFT of the twiddled inputs.
          for (let q = 0; q < p; q++) {
            let sr = 0;
            let si = 0;
            for (let r = 0; r < p; r++) {
              const idx = ((r * q) % p) * rootStep;
              const c = cos[idx]!;
              const s = sin[idx]!;
              sr += tRe[r]! * c - tIm[r]! * s;
              si += tRe[r]! * s + tIm[r]! * c;
            }
            dRe[base + q * m + k] = sr;
            dIm[base + q * m + k] = si;
          }
        }
      }
    }
    re.set(dRe);
    im.set(dIm);
  }
}
