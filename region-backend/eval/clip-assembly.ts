import type { TimedWord } from './score.ts';

/** Deterministic pseudo-random numbers in [0, 1) (a dataset rebuilt is the same dataset). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Cuts leading and trailing silence: everything before the first and after the last sample
 * louder than `relative` x the clip's peak (default -40 dB). This threshold is what defines a
 * word's edges in the joined clips.
 */
export function trimSilence(samples: Float32Array, relative = 0.01): Float32Array {
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  const limit = Math.max(1e-4, peak * relative);
  let a = 0;
  while (a < samples.length && Math.abs(samples[a]!) < limit) a++;
  let b = samples.length;
  while (b > a && Math.abs(samples[b - 1]!) < limit) b--;
  return samples.slice(a, b);
}

/**
 * Longest run of silence (seconds) inside a trimmed clip, on 10 ms frames whose peak stays
 * under `relative` x the clip's peak. A recording with a long inner silence (two takes, a
 * spelled-out word) has no single honest start and end, so dataset builders skip it.
 */
export function longestInnerSilence(
  samples: Float32Array,
  sampleRate = 16_000,
  relative = 0.01,
): number {
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  const frame = Math.round(sampleRate / 100);
  let run = 0;
  let longest = 0;
  for (let at = 0; at + frame <= samples.length; at += frame) {
    let framePeak = 0;
    for (let i = at; i < at + frame; i++) framePeak = Math.max(framePeak, Math.abs(samples[i]!));
    run = framePeak < peak * relative ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return (longest * frame) / sampleRate;
}

/** A piece of audio that is one word. */
export interface WordAudio {
  text: string;
  samples: Float32Array;
}

/**
 * Joins words with silences of the given lengths (seconds; one before each word and one after
 * the last), so every word's start and end is known exactly.
 */
export function joinWords(
  words: readonly WordAudio[],
  gaps: readonly number[],
  sampleRate = 16_000,
): { samples: Float32Array; words: TimedWord[] } {
  const gapSamples = gaps.map((g) => Math.round(g * sampleRate));
  const total =
    words.reduce((n, w) => n + w.samples.length, 0) + gapSamples.reduce((n, g) => n + g, 0);
  const samples = new Float32Array(total);
  const timed: TimedWord[] = [];
  let at = 0;
  words.forEach((w, k) => {
    at += gapSamples[k] ?? 0;
    samples.set(w.samples, at);
    timed.push({ text: w.text, start: at / sampleRate, end: (at + w.samples.length) / sampleRate });
    at += w.samples.length;
  });
  return { samples, words: timed };
}

/** Adds white Gaussian noise at `snrDb` below the RMS of the clip's non-silent samples. */
export function addNoise(samples: Float32Array, snrDb: number, random: () => number): Float32Array {
  let sum = 0;
  let n = 0;
  for (const x of samples) {
    if (Math.abs(x) > 1e-4) {
      sum += x * x;
      n++;
    }
  }
  const rms = Math.sqrt(sum / Math.max(1, n));
  const sigma = rms / 10 ** (snrDb / 20);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = Math.max(-1, Math.min(1, samples[i]! + sigma * gaussian));
  }
  return out;
}
