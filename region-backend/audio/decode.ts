import { ProblemError } from '../../shared/problem.ts';
import { decodeCompressed } from './compressed-decoder.ts';
import { assertValidLimits, checkDuration } from './duration-limits.ts';
import { normalisePeak } from './sample-checks.ts';
import { sniffAudioFormat } from './sniff-format.ts';
import { type AudioLimits, type DecodedAudio, TARGET_SAMPLE_RATE } from './types.ts';
import { decodeWav } from './wav-decoder.ts';

export type { AudioFormat, AudioLimits, DecodedAudio } from './types.ts';

/**
 * Decodes uploaded audio to what the engines take: 16 kHz mono float32 in [-1, 1].
 *
 * The format is sniffed from the bytes. Channels are averaged, the rate converted with a
 * band-limited resampler, and the result divided by its peak if that exceeds 1, then
 * clipped. Every failure is a ProblemError: 400 invalidAudio (corrupt, truncated, non-finite
 * samples), 415 unsupportedMediaType (not a supported format), 422 audioTooShort/audioTooLong
 * (outside `limits`, both in the detail). Memory is bounded by the input size and the 16 kHz
 * output, never by what a header claims. CPU-bound: ~1.5 ms per minute of 16 kHz PCM WAV,
 * more when the source needs resampling or a codec (bench/audio-decode.ts).
 */
export async function decodeAudio(bytes: Uint8Array, limits: AudioLimits): Promise<DecodedAudio> {
  assertValidLimits(limits);
  if (bytes.length === 0) throw new ProblemError('invalidAudio', 'The audio is empty (0 bytes).');
  const format = sniffAudioFormat(bytes);
  const source =
    format === 'wav' ? decodeWav(bytes, limits) : await decodeCompressed(format, bytes, limits);
  checkDuration(source.frames / source.sampleRate, limits);
  // Resampling can overshoot [-1, 1] slightly (Gibbs ripple), and float sources may exceed it.
  if (source.unbounded) normalisePeak(source.samples);
  return {
    samples: source.samples,
    duration: source.samples.length / TARGET_SAMPLE_RATE,
    sourceFormat: format,
    sourceSampleRate: source.sampleRate,
    sourceChannels: source.channels,
  };
}
