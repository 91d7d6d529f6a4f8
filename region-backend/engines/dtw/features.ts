import { Fft } from './fft.ts';

/** Frame step of every feature sequence the dtw engine compares, in seconds. */
export const FRAME_SECONDS = 0.01;
const WINDOW_SECONDS = 0.025;
const MEL_BANDS = 40;
/** Cepstral coefficients kept, c0 included (it carries loudness, which tells speech from pauses). */
export const CEPSTRA = 13;
/**
 * Band limits in Hz. The same for every sample rate, so features of eSpeak's 22.05 kHz synthesis
 * and of the 16 kHz recording are comparable without resampling.
 */
const LOW_HZ = 80;
const HIGH_HZ = 7600;

/** Per-frame features of one signal: frame i is centred at i x FRAME_SECONDS. */
export interface FeatureSequence {
  /** Row-major, `count` x `dims`, mean- and variance-normalised per coefficient. */
  values: Float32Array;
  count: number;
  dims: number;
  /** Frame log energy (natural log of mean square), before normalisation. */
  logEnergy: Float32Array;
}

interface Plan {
  fft: Fft;
  window: Float64Array;
  hop: number;
  /** Mel filters as [first bin, weights]. */
  filters: Array<{ first: number; weights: Float64Array }>;
  dct: Float64Array;
}

const plans = new Map<number, Plan>();

const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

function planFor(sampleRate: number): Plan {
  const cached = plans.get(sampleRate);
  if (cached) return cached;
  const windowLength = Math.round(WINDOW_SECONDS * sampleRate);
  let size = 1;
  while (size < windowLength) size <<= 1;
  const window = new Float64Array(windowLength);
  for (let i = 0; i < windowLength; i++) {
    window[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (windowLength - 1));
  }
  const lowMel = hzToMel(LOW_HZ);
  const highMel = hzToMel(HIGH_HZ);
  const edges: number[] = [];
  for (let i = 0; i < MEL_BANDS + 2; i++) {
    edges.push((melToHz(lowMel + ((highMel - lowMel) * i) / (MEL_BANDS + 1)) * size) / sampleRate);
  }
  const filters: Plan['filters'] = [];
  for (let m = 0; m < MEL_BANDS; m++) {
    const lo = edges[m]!;
    const mid = edges[m + 1]!;
    const hi = edges[m + 2]!;
    const first = Math.ceil(lo);
    const last = Math.floor(hi);
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      weights[k - first] = k <= mid ? (k - lo) / (mid - lo) : (hi - k) / (hi - mid);
    }
    filters.push({ first, weights });
  }
  const dct = new Float64Array(CEPSTRA * MEL_BANDS);
  for (let c = 0; c < CEPSTRA; c++) {
    for (let m = 0; m < MEL_BANDS; m++) {
      dct[c * MEL_BANDS + m] = Math.cos((Math.PI * c * (m + 0.5)) / MEL_BANDS);
    }
  }
  const plan = { fft: new Fft(size), window, hop: sampleRate * FRAME_SECONDS, filters, dct };
  plans.set(sampleRate, plan);
  return plan;
}

/**
 * MFCCs every 10 ms (25 ms Hamming window, 40 mel bands 80-7600 Hz), normalised to zero mean and
 * unit variance per coefficient over the signal: that removes the loudness and channel
 * differences between a synthetic voice and a recording, which DTW would otherwise chase.
 */
export function computeFeatures(samples: Float32Array, sampleRate: number): FeatureSequence {
  const plan = planFor(sampleRate);
  const { fft, window, hop, filters, dct } = plan;
  const size = fft.size;
  const count = Math.max(1, Math.round(samples.length / hop));
  const values = new Float32Array(count * CEPSTRA);
  const logEnergy = new Float32Array(count);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const power = new Float64Array(size / 2 + 1);
  const mel = new Float64Array(MEL_BANDS);
  const half = window.length >> 1;
  for (let f = 0; f < count; f++) {
    const start = Math.round(f * hop) - half;
    re.fill(0);
    im.fill(0);
    let energy = 0;
    let mean = 0;
    for (let i = 0; i < window.length; i++) {
      const s = start + i;
      if (s >= 0 && s < samples.length) mean += samples[s]!;
    }
    mean /= window.length;
    for (let i = 0; i < window.length; i++) {
      const s = start + i;
      const x = s >= 0 && s < samples.length ? samples[s]! - mean : 0;
      energy += x * x;
      re[i] = x * window[i]!;
    }
    logEnergy[f] = Math.log(energy / window.length + 1e-10);
    fft.transform(re, im);
    for (let k = 0; k <= size / 2; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    for (let m = 0; m < MEL_BANDS; m++) {
      const { first, weights } = filters[m]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * power[first + k]!;
      // A floor well below speech keeps digital silence from dominating the cepstra.
      mel[m] = Math.log(sum + 1e-6);
    }
    for (let c = 0; c < CEPSTRA; c++) {
      let sum = 0;
      for (let m = 0; m < MEL_BANDS; m++) sum += dct[c * MEL_BANDS + m]! * mel[m]!;
      values[f * CEPSTRA + c] = sum;
    }
  }
  normalise(values, count, CEPSTRA);
  return { values, count, dims: CEPSTRA, logEnergy };
}

function normalise(values: Float32Array, count: number, dims: number): void {
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let f = 0; f < count; f++) mean += values[f * dims + d]!;
    mean /= count;
    let variance = 0;
    for (let f = 0; f < count; f++) {
      const x = values[f * dims + d]! - mean;
      variance += x * x;
    }
    const scale = 1 / Math.sqrt(variance / count + 1e-8);
    for (let f = 0; f < count; f++) values[f * dims + d] = (values[f * dims + d]! - mean) * scale;
  }
}
