import { ProblemError } from '../../shared/problem.ts';
import { decodeCompressed } from './compressed-decoder.ts';
import { assertValidLimits, checkDuration } from './duration-limits.ts';
import { resample } from './resample.ts';
import { assertFiniteSamples, normalisePeak } from './sample-checks.ts';
import { sniffAudioFormat } from './sniff-format.ts';
import { type AudioLimits, type DecodedAudio, TARGET_SAMPLE_RATE } from './types.ts';

export type { AudioFormat, AudioLimits, DecodedAudio } from './types.ts';

import { decodeWav } from './wav-decoder.ts';

/**
 * Decodes uploaded audio to what the engines take: 16 kHz mono float32 in [-1, 1].
 *
 * The format is sniffed from the bytes. Channels are averaged, the rate converted with a
 * band-limited resampler, and the result divided by its peak if that exceeds 1, then
 * clipped. Every failure is a ProblemError: 400 invalidAudio (corrupt, truncated, non-finite
 * samples), 415 unsupportedMediaType (not a supported format), 422 audioTooShort/audioTooLong
 * (outside `limits`, both in the detail). Memory is bounded by the input size and maxSeconds,
 * never by what a header claims.
 */
export async function decodeAudio(bytes: Uint8Array, limits: AudioLimits): Promise<DecodedAudio> {
  assertValidLimits(limits);
  if (bytes.length === 0) throw new ProblemError('invalidAudio', 'The audio is empty (0 bytes).');
  const format = sniffAudioFormat(bytes);
  const pcm =
    format === 'wav' ? decodeWav(bytes, limits) : await decodeCompressed(format, bytes, limits);
  if (pcm.unbounded) assertFiniteSamples(pcm.samples, pcm.sampleRate);
  checkDuration(pcm.samples.length / pcm.sampleRate, limits);
  const samples = resample(pcm.samples, pcm.sampleRate, TARGET_SAMPLE_RATE);
  // Resampling can overshoot [-1, 1] slightly (Gibbs ripple), so only an integer source
  // already at 16 kHz is known to be in range.
  if (pcm.unbounded || samples !== pcm.samples) normalisePeak(samples);
  return {
    samples,
    duration: samples.length / TARGET_SAMPLE_RATE,
    sourceFormat: format,
    sourceSampleRate: pcm.sampleRate,
    sourceChannels: pcm.channels,
  };
}
