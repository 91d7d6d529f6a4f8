/**
 * Mixed-radix complex FFT (float64) for any length whose prime factors are small, such as the
 * 400-point frames of the Whisper front end (400 = 2^4 x 5^2). Plans are cached per length.
 */
export class Fft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly factors: number[];

  constructor(readonly size: number) {
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      this.cos[j] = Math.cos((2 * Math.PI * j) / size);
      this.sin[j] = -Math.sin((2 * Math.PI * j) / size);
    }
    this.factors = [];
    let n = size;
    for (let p = 2; n > 1; ) {
      if (n % p === 0) {
        this.factors.push(p);
        n /= p;
      } else p += 1;
    }
  }

  /** Transforms (re, im) of length `size` in place. */
  transform(re: Float64Array, im: Float64Array): void {
    const outRe = new Float64Array(this.size);
    const outIm = new Float64Array(this.size);
    this.step(re, im, 0, 1, this.size, 0, outRe, outIm, 0);
    re.set(outRe);
    im.set(outIm);
  }

  private step(
    re: Float64Array,
    im: Float64Array,
    offset: number,
    stride: number,
    n: number,
    level: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outOffset: number,
  ): void {
    if (n === 1) {
      outRe[outOffset] = re[offset]!;
      outIm[outOffset] = im[offset]!;
      return;
    }
    const p = this.factors[level]!;
    const m = n / p;
    for (let r = 0; r < p; r++) {
      this.step(
        re,
        im,
        offset + r * stride,
        stride * p,
        m,
        level + 1,
        outRe,
        outIm,
        outOffset + r * m,
      );
    }
    // Combine p sub-transforms of length m: X[k + q m] = sum_r W_n^{r (k + q m)} Y_r[k].
    const twStep = this.size / n;
    const tmpRe = new Float64Array(p);
    const tmpIm = new Float64Array(p);
    for (let k = 0; k < m; k++) {
      for (let r = 0; r < p; r++) {
        tmpRe[r] = outRe[outOffset + r * m + k]!;
        tmpIm[r] = outIm[outOffset + r * m + k]!;
      }
      for (let q = 0; q < p; q++) {
        const kk = k + q * m;
        let sr = 0;
        let si = 0;
        for (let r = 0; r < p; r++) {
          const idx = ((r * kk) % n) * twStep;
          const c = this.cos[idx]!;
          const s = this.sin[idx]!;
          sr += tmpRe[r]! * c - tmpIm[r]! * s;
          si += tmpRe[r]! * s + tmpIm[r]! * c;
        }
        outRe[outOffset + kk] = sr;
        outIm[outOffset + kk] = si;
      }
    }
  }
}
