import { ProblemError } from '../../shared/problem.ts';

/** Rejects NaN or infinite samples (possible only in float WAV), naming the first one. */
export function assertFiniteSamples(samples: Float32Array, sampleRate: number, offset = 0): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    // v - v is 0 for every finite number and NaN for NaN and ±Infinity.
    if (v - v !== 0)
      throw new ProblemError(
        'invalidAudio',
        `Audio contains a non-finite sample (${v}) at ${((offset + i) / sampleRate).toFixed(3)} s; float WAV samples must be finite.`,
      );
  }
}

/** Divides by the peak when it exceeds 1, then clips to [-1, 1] (in place). */
export function normalisePeak(samples: Float32Array): void {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]!);
    if (a > peak) peak = a;
  }
  if (peak <= 1) return;
  const scale = 1 / peak;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]! * scale;
    samples[i] = Math.min(1, Math.max(-1, v));
  }
}
