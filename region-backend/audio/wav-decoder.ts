import { ProblemError } from '../../shared/problem.ts';
import { audioTooLong } from './duration-limits.ts';
import { Resampler } from './resample.ts';
import { assertFiniteSamples } from './sample-checks.ts';
import { assertPlausibleStream } from './source-rate.ts';
import { type AudioLimits, type DecodedSource, TARGET_SAMPLE_RATE } from './types.ts';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

type SampleKind = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64' | 'alaw' | 'mulaw';

interface WavLayout {
  kind: SampleKind;
  channels: number;
  sampleRate: number;
  bytesPerSample: number;
  dataOffset: number;
  /** Bytes of sample data actually present (never the header's claim when that is larger). */
  dataBytes: number;
}

const invalid = (detail: string) => new ProblemError('invalidAudio', `Invalid WAV: ${detail}`);

function sampleKind(tag: number, bits: number): SampleKind {
  if (tag === WAVE_FORMAT_PCM) {
    if (bits === 8) return 'u8';
    if (bits === 16) return 's16';
    if (bits === 24) return 's24';
    if (bits === 32) return 's32';
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) return 'f32';
    if (bits === 64) return 'f64';
  } else if (tag === WAVE_FORMAT_ALAW && bits === 8) return 'alaw';
  else if (tag === WAVE_FORMAT_MULAW && bits === 8) return 'mulaw';
  const name =
    tag === WAVE_FORMAT_PCM
      ? 'PCM'
      : tag === WAVE_FORMAT_IEEE_FLOAT
        ? 'float'
        : `format 0x${tag.toString(16)}`;
  throw new ProblemError(
    'unsupportedMediaType',
    `WAV with ${bits}-bit ${name} samples is not supported; use 8/16/24/32-bit PCM or 32/64-bit float.`,
  );
}

/**
 * Reads the RIFF chunk list. Every size in the header is treated as a claim: chunks are
 * bounded by the bytes actually present, and a data chunk that claims more than is there
 * (a streamed or truncated file, or a lie) is cut to what is there.
 */
function readLayout(bytes: Uint8Array): WavLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<WavLayout, 'dataOffset' | 'dataBytes'> | undefined;
  let data: { offset: number; bytes: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.length && !(fmt && data)) {
    const id = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    const available = bytes.length - body;
    if (id === 'data') {
      data = { offset: body, bytes: Math.min(size, available) };
    } else if (id === 'fmt ') {
      if (size < 16 || available < 16) throw invalid('the fmt chunk is truncated.');
      let tag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bits = view.getUint16(body + 14, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || available < 40)
          throw invalid('WAVE_FORMAT_EXTENSIBLE header is shorter than 40 bytes.');
        // The sub-format GUID starts with the plain format tag.
        tag = view.getUint16(body + 24, true);
      }
      assertPlausibleStream('WAV', sampleRate, channels);
      const kind = sampleKind(tag, bits);
      fmt = { kind, channels, sampleRate, bytesPerSample: bits / 8 };
    }
    if (data && !fmt && data.bytes < size) break; // a lying data size: nothing sane follows
    // Chunks are word-aligned; a size past the end just ends the walk.
    at = body + size + (size & 1);
  }
  if (!fmt) throw invalid('no fmt chunk before the end of the data (truncated or not a WAV file).');
  if (!data) throw invalid('no data chunk (truncated header?).');
  return { ...fmt, dataOffset: data.offset, dataBytes: data.bytes };
}

/** A typed view of `length` elements at `offset`, copied when the offset is misaligned. */
function aligned<T>(
  bytes: Uint8Array,
  offset: number,
  length: number,
  Ctor: { new (b: ArrayBufferLike, o: number, l: number): T; BYTES_PER_ELEMENT: number },
): T {
  const start = bytes.byteOffset + offset;
  if (start % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, start, length);
  // Copied through Uint8Array's own slice: a Buffer's slice() is a view, not a copy.
  const copy = Uint8Array.prototype.slice.call(
    bytes,
    offset,
    offset + length * Ctor.BYTES_PER_ELEMENT,
  );
  return new Ctor(copy.buffer, 0, length);
}

const ALAW = new Float32Array(256);
const MULAW = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  // G.711 expansions to 16-bit linear, scaled to [-1, 1].
  let a = i ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = seg === 0 ? t + 8 : (t + 0x108) << (seg - 1);
  ALAW[i] = (a & 0x80 ? t : -t) / 32768;
  a = ~i & 0xff;
  const m = (((a & 0x0f) << 3) + 0x84) << ((a & 0x70) >> 4);
  MULAW[i] = (a & 0x80 ? 0x84 - m : m - 0x84) / 32768;
}

/** Frames converted per block: small enough to stay in cache, large enough to amortise calls. */
const BLOCK_FRAMES = 1 << 15;

/** Converts `count` interleaved samples from `at` (a byte offset) into `into`. */
function convert(
  bytes: Uint8Array,
  kind: SampleKind,
  at: number,
  count: number,
  into: Float32Array,
): void {
  switch (kind) {
    case 'u8':
      for (let i = 0; i < count; i++) into[i] = (bytes[at + i]! - 128) / 128;
      break;
    case 'alaw':
      for (let i = 0; i < count; i++) into[i] = ALAW[bytes[at + i]!]!;
      break;
    case 'mulaw':
      for (let i = 0; i < count; i++) into[i] = MULAW[bytes[at + i]!]!;
      break;
    case 's16': {
      if ((bytes.byteOffset + at) % 2 === 0) {
        const s = new Int16Array(bytes.buffer, bytes.byteOffset + at, count);
        for (let i = 0; i < count; i++) into[i] = s[i]! / 32768;
      } else {
        // An upload inside a multipart body starts anywhere: read the bytes rather than copy
        // a minute of audio to an even address.
        for (let i = 0, o = at; i < count; i++, o += 2)
          into[i] = (((bytes[o]! | (bytes[o + 1]! << 8)) << 16) >> 16) / 32768;
      }
      break;
    }
    case 's24':
      for (let i = 0, o = at; i < count; i++, o += 3)
        into[i] = ((bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16)) << 8) / 2147483648;
      break;
    case 's32': {
      const s = aligned(bytes, at, count, Int32Array);
      for (let i = 0; i < count; i++) into[i] = s[i]! / 2147483648;
      break;
    }
    case 'f32':
      into.set(aligned(bytes, at, count, Float32Array));
      break;
    case 'f64':
      into.set(aligned(bytes, at, count, Float64Array));
      break;
  }
}

/** Averages `frames` interleaved frames of `channels` from `interleaved` into `into`. */
function downmix(
  interleaved: Float32Array,
  channels: number,
  frames: number,
  into: Float32Array,
): void {
  const scale = 1 / channels;
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, i++) sum += interleaved[i]!;
    into[f] = sum * scale;
  }
}

/**
 * Decodes a WAV file (PCM 8/16/24/32-bit, float 32/64-bit, A-law/µ-law, plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count) to 16 kHz mono, block by block: convert,
 * average the channels, check float samples are finite, resample. The length check happens
 * before anything is allocated, from the bytes present; memory is the output plus one block.
 * Typed-array views assume a little-endian host, as every platform Node runs on here is.
 */
export function decodeWav(bytes: Uint8Array, limits: AudioLimits): DecodedSource {
  const { kind, channels, sampleRate, bytesPerSample, dataOffset, dataBytes } = readLayout(bytes);
  const frameBytes = bytesPerSample * channels;
  const frames = Math.floor(dataBytes / frameBytes);
  if (frames / sampleRate > limits.maxSeconds) throw audioTooLong(limits, frames / sampleRate);
  const unbounded = kind === 'f32' || kind === 'f64';
  const direct = sampleRate === TARGET_SAMPLE_RATE;
  const out = direct ? new Float32Array(frames) : undefined;
  const resampler = direct ? undefined : new Resampler(sampleRate, TARGET_SAMPLE_RATE);
  const block = Math.min(BLOCK_FRAMES, frames);
  const interleaved = channels > 1 ? new Float32Array(block * channels) : undefined;
  const scratch = direct ? undefined : new Float32Array(block);
  for (let f0 = 0; f0 < frames; f0 += block) {
    const n = Math.min(block, frames - f0);
    const mono = out ? out.subarray(f0, f0 + n) : scratch!.subarray(0, n);
    const at = dataOffset + f0 * frameBytes;
    if (interleaved) {
      convert(bytes, kind, at, n * channels, interleaved);
      downmix(interleaved, channels, n, mono);
    } else {
      convert(bytes, kind, at, n, mono);
    }
    if (unbounded) assertFiniteSamples(mono, sampleRate, f0);
    resampler?.push(mono);
  }
  return {
    samples: out ?? resampler!.finish(),
    sampleRate,
    channels,
    frames,
    unbounded: unbounded || !direct,
  };
}
