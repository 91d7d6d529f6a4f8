import { ProblemError } from '../../shared/problem.ts';
import { audioTooLong } from './duration-limits.ts';
import { flacDeclaredSamples } from './flac-stream-info.ts';
import { MonoAccumulator } from './mono-accumulator.ts';
import { completeOggLength } from './ogg-pages.ts';
import { id3Length, mpegChannels } from './sniff-format.ts';
import { assertPlausibleStream } from './source-rate.ts';
import type { AudioLimits, MonoPcm } from './types.ts';
import { type CompressedFormat, type DecodedChunk, withDecoder } from './wasm-decoder-pool.ts';

/** Bytes fed per decode call: small enough that one call cannot decode hours of audio. */
const CHUNK_BYTES = 32 * 1024;

const NAMES: Record<CompressedFormat, string> = {
  flac: 'FLAC',
  mp3: 'MP3',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Ogg Opus',
};

/**
 * Decodes FLAC, MP3, Ogg Vorbis or Ogg Opus with the maintained WASM decoders, feeding the
 * input in chunks and downmixing as it goes, so a small file that expands to hours of audio
 * is stopped at the duration limit instead of filling memory. Any decoder error rejects the
 * file: a half-decoded recording would be aligned wrongly. Ogg pages are CRC-checked first
 * and a cut-off last page dropped; a FLAC stream that decodes to fewer samples than its
 * STREAMINFO declares is rejected as truncated or corrupt. MP3 has no such checks: a
 * truncated MP3 decodes to what is there, as in any player.
 */
export function decodeCompressed(
  format: CompressedFormat,
  input: Uint8Array,
  limits: AudioLimits,
): Promise<MonoPcm> {
  const name = NAMES[format];
  let bytes = input;
  if (format === 'flac') bytes = input.subarray(id3Length(input));
  else if (format === 'ogg-vorbis' || format === 'ogg-opus')
    bytes = input.subarray(0, completeOggLength(input, name));
  const declared = format === 'flac' ? flacDeclaredSamples(bytes, 0) : 0;
  return withDecoder(format, async (decoder) => {
    const mono = new MonoAccumulator();
    let sampleRate = 0;
    let channels = 0;
    const take = (chunk: DecodedChunk) => {
      const error = chunk.errors[0];
      if (error)
        throw new ProblemError('invalidAudio', `${name} stream is corrupt: ${error.message}.`);
      if (chunk.samplesDecoded === 0) return;
      if (sampleRate === 0) {
        sampleRate = chunk.sampleRate;
        channels = chunk.channelData.length;
        assertPlausibleStream(name, sampleRate, channels);
      } else if (chunk.sampleRate !== sampleRate || chunk.channelData.length !== channels) {
        throw new ProblemError(
          'invalidAudio',
          `${name} stream changes its format mid-stream (${sampleRate} Hz x ${channels} -> ${chunk.sampleRate} Hz x ${chunk.channelData.length}); send one stream.`,
        );
      }
      mono.append(chunk.channelData, chunk.samplesDecoded);
      if (mono.frames / sampleRate > limits.maxSeconds) throw audioTooLong(limits);
    };
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      take(await decoder.decode(bytes.subarray(at, at + CHUNK_BYTES)));
    }
    if (decoder.flush) take(await decoder.flush());
    if (mono.frames === 0)
      throw new ProblemError(
        'invalidAudio',
        `${name} data decoded to no audio (corrupt or truncated).`,
      );
    if (mono.frames < declared)
      throw new ProblemError(
        'invalidAudio',
        `${name} stream is truncated or corrupt: it declares ${declared} samples but only ${mono.frames} decode.`,
      );
    if (format === 'mp3') channels = Math.min(channels, mpegChannels(bytes));
    return { samples: mono.toArray(), sampleRate, channels, unbounded: true };
  });
}
