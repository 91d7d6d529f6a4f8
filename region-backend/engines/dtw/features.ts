import { RealPowerSpectrum } from './fft.ts';

/** Frame step of every feature sequence the dtw engine compares, in seconds. */
export const FRAME_SECONDS = 0.01;
const WINDOW_SECONDS = 0.025;
/** Pre-emphasis: flattens the spectral tilt, which differs more between voices than formants do. */
const PRE_EMPHASIS = 0.97;
const MEL_BANDS = 40;
/** Cepstral coefficients kept, c0 included (it carries loudness, which tells speech from pauses). */
export const CEPSTRA = 13;
/**
 * Band limits in Hz. The same for every sample rate, so features of eSpeak's 22.05 kHz synthesis
 * and of the 16 kHz recording are comparable without resampling.
 */
const LOW_HZ = 80;
/** Log-mel dynamic range kept (natural log: 13.8 = 60 dB). */
const DYNAMIC_RANGE = 13.8;
const HIGH_HZ = 7600;

/** Per-frame features of one signal: frame i is centred at i x FRAME_SECONDS. */
export interface FeatureSequence {
  /** Row-major, `count` x `dims` (see normaliseFeatures). */
  values: Float32Array;
  count: number;
  dims: number;
  /** Frame log energy (natural log of mean square), before normalisation. */
  logEnergy: Float32Array;
}

interface Plan {
  spectrum: RealPowerSpectrum;
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
  const plan = {
    spectrum: new RealPowerSpectrum(size),
    window,
    hop: sampleRate * FRAME_SECONDS,
    filters,
    dct,
  };
  plans.set(sampleRate, plan);
  return plan;
}

/**
 * MFCCs every 10 ms (pre-emphasis 0.97, 25 ms Hamming window, 40 mel bands 80-7600 Hz, log-mel
 * range 60 dB). Normalise them with
 * normaliseFeatures before comparing signals: that removes the loudness and channel differences
 * between a synthetic voice and a recording, which DTW would otherwise chase.
 */
export function computeFeatures(samples: Float32Array, sampleRate: number): FeatureSequence {
  const plan = planFor(sampleRate);
  const { spectrum, window, hop, filters, dct } = plan;
  const size = spectrum.size;
  const count = Math.max(1, Math.round(samples.length / hop));
  const values = new Float32Array(count * CEPSTRA);
  const logEnergy = new Float32Array(count);
  const re = new Float64Array(size);
  const power = new Float64Array(size / 2 + 1);
  const logMel = new Float32Array(count * MEL_BANDS);
  let maxLogMel = Number.NEGATIVE_INFINITY;
  const half = window.length >> 1;
  for (let f = 0; f < count; f++) {
    const start = Math.round(f * hop) - half;
    re.fill(0);
    let energy = 0;
    let mean = 0;
    for (let i = 0; i < window.length; i++) {
      const s = start + i;
      if (s >= 0 && s < samples.length) mean += samples[s]!;
    }
    mean /= window.length;
    let prev = 0;
    for (let i = 0; i < window.length; i++) {
      const s = start + i;
      const x = s >= 0 && s < samples.length ? samples[s]! - mean : 0;
      energy += x * x;
      re[i] = (x - PRE_EMPHASIS * prev) * window[i]!;
      prev = x;
    }
    logEnergy[f] = Math.log(energy / window.length + 1e-10);
    spectrum.compute(re, power);
    for (let m = 0; m < MEL_BANDS; m++) {
      const { first, weights } = filters[m]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * power[first + k]!;
      const v = Math.log(sum + 1e-10);
      logMel[f * MEL_BANDS + m] = v;
      if (v > maxLogMel) maxLogMel = v;
    }
  }
  // Everything more than DYNAMIC_RANGE below the loudest band is "quiet": digital silence in the
  // template and room noise in a recording then look alike instead of wildly different.
  const floor = maxLogMel - DYNAMIC_RANGE;
  for (let f = 0; f < count; f++) {
    for (let c = 0; c < CEPSTRA; c++) {
      let sum = 0;
      for (let m = 0; m < MEL_BANDS; m++) {
        sum += dct[c * MEL_BANDS + m]! * Math.max(floor, logMel[f * MEL_BANDS + m]!);
      }
      values[f * CEPSTRA + c] = sum;
    }
  }
  return { values, count, dims: CEPSTRA, logEnergy };
}

/**
 * Normalises each coefficient to zero mean and unit variance over the speech frames (`speech`
 * mask; all frames when it is empty), in place. Statistics over speech only keep the amount of
 * silence in a clip from shifting its features: a pause then looks the same in the template
 * and in a recording that is half silence.
 */
export function normaliseFeatures(x: FeatureSequence, speech: Uint8Array): void {
  const { values, count, dims } = x;
  let used = 0;
  for (let f = 0; f < count; f++) if (speech[f]) used++;
  const all = used < 10;
  const n = all ? count : used;
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let f = 0; f < count; f++) if (all || speech[f]) mean += values[f * dims + d]!;
    mean /= n;
    let variance = 0;
    for (let f = 0; f < count; f++) {
      if (!all && !speech[f]) continue;
      const v = values[f * dims + d]! - mean;
      variance += v * v;
    }
    const scale = 1 / Math.sqrt(variance / n + 1e-8);
    for (let f = 0; f < count; f++) values[f * dims + d] = (values[f * dims + d]! - mean) * scale;
  }
}
