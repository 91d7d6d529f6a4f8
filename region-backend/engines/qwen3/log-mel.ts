import { Fft } from './fft.ts';

/** The Whisper feature extractor's settings (preprocessor_config.json of the model). */
export interface LogMelOptions {
  nFft: number;
  hop: number;
  nMels: number;
  sampleRate: number;
}

export const WHISPER_LOG_MEL: LogMelOptions = {
  nFft: 400,
  hop: 160,
  nMels: 128,
  sampleRate: 16_000,
};

const hzToMelSlaney = (hz: number): number => {
  const minLogHz = 1000;
  const minLogMel = 15;
  const logstep = 27 / Math.log(6.4);
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) * logstep : (3 * hz) / 200;
};

const melToHzSlaney = (mel: number): number => {
  const minLogHz = 1000;
  const minLogMel = 15;
  const logstep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logstep * (mel - minLogMel)) : (200 * mel) / 3;
};

/**
 * Slaney-style mel filter bank [nFft/2 + 1, nMels] (row-major), 0 Hz to Nyquist, Slaney area
 * normalisation; float64 formula rounded to float32, as the Whisper extractor uses it.
 */
export function melFilterBank(o: LogMelOptions = WHISPER_LOG_MEL): Float32Array {
  const nFreq = o.nFft / 2 + 1;
  const fftFreqs = Float64Array.from(
    { length: nFreq },
    (_, i) => (i * (o.sampleRate / 2)) / (nFreq - 1),
  );
  const melMin = hzToMelSlaney(0);
  const melMax = hzToMelSlaney(o.sampleRate / 2);
  const filterFreqs = Float64Array.from({ length: o.nMels + 2 }, (_, i) =>
    melToHzSlaney(melMin + ((melMax - melMin) * i) / (o.nMels + 1)),
  );
  const out = new Float32Array(nFreq * o.nMels);
  for (let m = 0; m < o.nMels; m++) {
    const lo = filterFreqs[m]!;
    const mid = filterFreqs[m + 1]!;
    const hi = filterFreqs[m + 2]!;
    const enorm = 2 / (hi - lo);
    for (let f = 0; f < nFreq; f++) {
      const down = (fftFreqs[f]! - lo) / (mid - lo);
      const up = (hi - fftFreqs[f]!) / (hi - mid);
      out[f * o.nMels + m] = Math.max(0, Math.min(down, up)) * enorm;
    }
  }
  return out;
}

/**
 * Whisper log-mel features of one clip, [nMels, frames] row-major with frames = samples / hop
 * (the last STFT frame dropped): periodic Hann, centred STFT with reflect padding, power
 * spectrum, mel, log10 clamped at 1e-10, floor at (max - 8), then (x + 4) / 4. No padding
 * to 30 s. The STFT runs in float64, so it sits within the reference's own float32 noise.
 */
export class LogMelExtractor {
  private readonly filters: Float32Array;
  /** Non-zero range [from, to) of each mel band over the frequency bins. */
  private readonly bands: { from: number; to: number }[];
  private readonly window: Float64Array;
  private readonly fft: Fft;

  constructor(readonly options: LogMelOptions = WHISPER_LOG_MEL) {
    this.filters = melFilterBank(options);
    const nFreq = options.nFft / 2 + 1;
    this.bands = Array.from({ length: options.nMels }, (_, m) => {
      let from = 0;
      while (from < nFreq && this.filters[from * options.nMels + m] === 0) from++;
      let to = nFreq;
      while (to > from && this.filters[(to - 1) * options.nMels + m] === 0) to--;
      return { from, to };
    });
    this.window = Float64Array.from(
      { length: options.nFft },
      (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / options.nFft),
    );
    this.fft = new Fft(options.nFft);
  }

  frameCount(samples: number): number {
    return Math.floor(samples / this.options.hop);
  }

  extract(samples: Float32Array): Float32Array {
    const { nFft, hop, nMels } = this.options;
    const nFreq = nFft / 2 + 1;
    const frames = this.frameCount(samples.length);
    const pad = nFft / 2;
    const n = samples.length;
    const at = (i: number): number => {
      // Reflect padding (numpy/torch 'reflect': the edge sample is not repeated).
      let j = i;
      if (j < 0) j = -j;
      if (j >= n) j = 2 * (n - 1) - j;
      return samples[j] ?? 0;
    };
    const re = new Float64Array(nFft);
    const im = new Float64Array(nFft);
    const powA = new Float64Array(nFreq);
    const powB = new Float64Array(nFreq);
    const out = new Float32Array(nMels * frames);
    const logs = new Float64Array(nMels * frames);
    let max = Number.NEGATIVE_INFINITY;
    const frameInto = (t: number, dst: Float64Array) => {
      const start = t * hop - pad;
      for (let i = 0; i < nFft; i++) {
        const k = start + i;
        dst[i] = (k >= 0 && k < n ? samples[k]! : at(k)) * this.window[i]!;
      }
    };
    const melOf = (t: number, power: Float64Array) => {
      for (let m = 0; m < nMels; m++) {
        const { from, to } = this.bands[m]!;
        let s = 0;
        for (let f = from; f < to; f++) s += this.filters[f * nMels + m]! * power[f]!;
        const v = Math.log10(Math.max(s, 1e-10));
        logs[m * frames + t] = v;
        if (v > max) max = v;
      }
    };
    // Two real frames per complex FFT: frame t in the real part, t + 1 in the imaginary part,
    // separated by the conjugate symmetry of real-input spectra.
    for (let t = 0; t < frames; t += 2) {
      const pair = t + 1 < frames;
      frameInto(t, re);
      if (pair) frameInto(t + 1, im);
      else im.fill(0);
      this.fft.transform(re, im);
      for (let f = 0; f < nFreq; f++) {
        const g = (nFft - f) % nFft;
        const aRe = (re[f]! + re[g]!) / 2;
        const aIm = (im[f]! - im[g]!) / 2;
        const bRe = (im[f]! + im[g]!) / 2;
        const bIm = (re[g]! - re[f]!) / 2;
        powA[f] = aRe * aRe + aIm * aIm;
        powB[f] = bRe * bRe + bIm * bIm;
      }
      melOf(t, powA);
      if (pair) melOf(t + 1, powB);
    }
    const floor = max - 8;
    for (let i = 0; i < logs.length; i++) out[i] = (Math.max(logs[i]!, floor) + 4) / 4;
    return out;
  }
}
