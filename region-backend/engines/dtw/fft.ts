/**
 * In-place iterative radix-2 FFT on split real/imaginary arrays. Small and allocation-free:
 * the dtw engine runs one per 10 ms frame, so a plan (twiddles, bit reversal) is reused.
 */
export class Fft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;

  constructor(size: number) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new Error(`FFT size must be a power of 2`);
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((-2 * Math.PI * i) / size);
      this.sin[i] = Math.sin((-2 * Math.PI * i) / size);
    }
    this.reversed = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r;
    }
  }

  /** Transforms `re`/`im` (length `size`) in place. */
  transform(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const j = this.reversed[i]!;
      if (j > i) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * step]!;
          const wi = this.sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
  }
}

/**
 * Power spectrum (bins 0..n/2) of a real frame of length n, through one complex FFT of length
 * n/2 (even samples as real parts, odd as imaginary): half the work of a full complex FFT.
 */
export class RealPowerSpectrum {
  readonly size: number;
  private readonly half: Fft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    this.size = size;
    this.half = new Fft(size / 2);
    this.re = new Float64Array(size / 2);
    this.im = new Float64Array(size / 2);
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
  }

  /** `frame` has length `size` (zero-padded by the caller); `power` gets size/2 + 1 values. */
  compute(frame: Float64Array, power: Float64Array): void {
    const m = this.size / 2;
    const { re, im } = this;
    for (let i = 0; i < m; i++) {
      re[i] = frame[2 * i]!;
      im[i] = frame[2 * i + 1]!;
    }
    this.half.transform(re, im);
    for (let k = 0; k <= m; k++) {
      const a = k % m;
      const b = (m - k) % m;
      // Even and odd parts: E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i.
      const er = (re[a]! + re[b]!) / 2;
      const ei = (im[a]! - im[b]!) / 2;
      const or = (im[a]! + im[b]!) / 2;
      const oi = -(re[a]! - re[b]!) / 2;
      const c = k < m ? this.cos[k]! : -1;
      const s = k < m ? this.sin[k]! : 0;
      const xr = er + (or * c - oi * s);
      const xi = ei + (or * s + oi * c);
      power[k] = xr * xr + xi * xi;
    }
  }
}
