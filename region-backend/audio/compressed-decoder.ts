import { ProblemError } from '../../shared/problem.ts';
import { audioTooLong } from './duration-limits.ts';
import { flacDeclaredSamples } from './flac-stream-info.ts';
import { completeOggLength } from './ogg-pages.ts';
import { Resampler } from './resample.ts';
import { assertFiniteSamples } from './sample-checks.ts';
import { id3Length, mpegChannels } from './sniff-format.ts';
import { assertPlausibleStream } from './source-rate.ts';
import { type AudioLimits, type DecodedSource, TARGET_SAMPLE_RATE } from './types.ts';
import { type CompressedFormat, type DecodedChunk, withDecoder } from './wasm-decoder-pool.ts';

/**
 * Bytes fed per decode call, adapted to how many samples a byte turns into so that one call
 * yields at most about SAMPLES_PER_CALL samples (after a 1 KB probe): a FLAC file of constant (silent) frames
 * expands tens of thousands of times, and the WASM decoders return a call's output at once.
 */
const SAMPLES_PER_CALL = 4 * 1024 * 1024;
const MIN_CHUNK_BYTES = 256;
const MAX_CHUNK_BYTES = 64 * 1024;
const FIRST_CHUNK_BYTES = 1024;
/**
 * Decoded samples (all channels) allowed per second of the duration limit: 48 kHz stereo.
 * Bounds the CPU a small file can demand; a hi-res multichannel upload gets proportionally
 * less duration (the detail says why).
 */
const SAMPLES_PER_LIMIT_SECOND = 96_000;

const NAMES: Record<CompressedFormat, string> = {
  flac: 'FLAC',
  mp3: 'MP3',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Ogg Opus',
};

/**
 * Decodes FLAC, MP3, Ogg Vorbis or Ogg Opus with the maintained WASM decoders, feeding the
 * input in chunks and downmixing and resampling as it goes, so memory follows the 16 kHz
 * output and a small file that expands to hours of audio is stopped at the duration limit.
 * Any decoder error rejects the file: a half-decoded recording would be aligned wrongly.
 * Ogg pages are CRC-checked first and a cut-off last page dropped; a FLAC stream that
 * decodes to fewer samples than its STREAMINFO declares is rejected as truncated or
 * corrupt. MP3 has no such checks: a truncated MP3 decodes to what is there, as in any player.
 */
export function decodeCompressed(
  format: CompressedFormat,
  input: Uint8Array,
  limits: AudioLimits,
): Promise<DecodedSource> {
  const name = NAMES[format];
  let bytes = input;
  if (format === 'flac') bytes = input.subarray(id3Length(input));
  else if (format === 'ogg-vorbis' || format === 'ogg-opus')
    bytes = input.subarray(0, completeOggLength(input, name));
  const declared = format === 'flac' ? flacDeclaredSamples(bytes, 0) : 0;
  const budget = limits.maxSeconds * SAMPLES_PER_LIMIT_SECOND;
  return withDecoder(format, async (decoder) => {
    let resampler: Resampler | undefined;
    let sampleRate = 0;
    let channels = 0;
    let decodedAll = 0; // samples over all channels
    const take = (chunk: DecodedChunk) => {
      const error = chunk.errors[0];
      if (error)
        throw new ProblemError('invalidAudio', `${name} stream is corrupt: ${error.message}.`);
      const frames = chunk.samplesDecoded;
      if (frames === 0) return;
      if (!resampler) {
        sampleRate = chunk.sampleRate;
        channels = chunk.channelData.length;
        assertPlausibleStream(name, sampleRate, channels);
        resampler = new Resampler(sampleRate, TARGET_SAMPLE_RATE);
      } else if (chunk.sampleRate !== sampleRate || chunk.channelData.length !== channels) {
        throw new ProblemError(
          'invalidAudio',
          `${name} stream changes its format mid-stream (${sampleRate} Hz x ${channels} -> ${chunk.sampleRate} Hz x ${chunk.channelData.length}); send one stream.`,
        );
      }
      const offset = resampler.inputLength;
      if ((offset + frames) / sampleRate > limits.maxSeconds) throw audioTooLong(limits);
      decodedAll += frames * channels;
      if (decodedAll > budget)
        throw new ProblemError(
          'audioTooLong',
          `${name} audio at ${sampleRate} Hz x ${channels} channels exceeds the decoding budget of ${limits.maxSeconds} s of 48 kHz stereo; send fewer channels or a lower rate.`,
          { extra: { max_seconds: limits.maxSeconds } },
        );
      const mono = downmix(chunk.channelData, frames);
      assertFiniteSamples(mono, sampleRate, offset);
      resampler.push(mono);
    };
    let chunkBytes = FIRST_CHUNK_BYTES;
    for (let at = 0; at < bytes.length; ) {
      const piece = bytes.subarray(at, at + chunkBytes);
      const before = decodedAll;
      take(await decoder.decode(piece));
      at += piece.length;
      // Grow at most twofold per call (a call that decoded nothing, e.g. inside a metadata
      // block, says nothing about what follows), shrink at once when a byte expands a lot.
      const perByte = (decodedAll - before) / piece.length;
      chunkBytes = Math.max(
        MIN_CHUNK_BYTES,
        Math.min(
          MAX_CHUNK_BYTES,
          chunkBytes * 2,
          Math.floor(SAMPLES_PER_CALL / Math.max(perByte, 1)),
        ),
      );
    }
    if (decoder.flush) take(await decoder.flush());
    if (!resampler || resampler.inputLength === 0)
      throw new ProblemError(
        'invalidAudio',
        `${name} data decoded to no audio (corrupt or truncated).`,
      );
    const frames = resampler.inputLength;
    if (frames < declared)
      throw new ProblemError(
        'invalidAudio',
        `${name} stream is truncated or corrupt: it declares ${declared} samples but only ${frames} decode.`,
      );
    if (format === 'mp3') channels = Math.min(channels, mpegChannels(bytes));
    return { samples: resampler.finish(), sampleRate, channels, frames, unbounded: true };
  });
}

/** Averages the channels of one decoded chunk into a new mono array. */
function downmix(channelData: readonly Float32Array[], frames: number): Float32Array {
  if (channelData.length === 1) return channelData[0]!.subarray(0, frames);
  const mono = new Float32Array(frames);
  const scale = 1 / channelData.length;
  for (const channel of channelData) for (let f = 0; f < frames; f++) mono[f]! += channel[f]!;
  for (let f = 0; f < frames; f++) mono[f]! *= scale;
  return mono;
}
