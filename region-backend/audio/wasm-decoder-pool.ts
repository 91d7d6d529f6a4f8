import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import type { AudioFormat } from './types.ts';

/** What one decode call returns, common to the four WASM decoders. */
export interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: ReadonlyArray<{ message: string }>;
}

/** The streaming surface shared by the four WASM decoders. */
export interface StreamDecoder {
  ready: Promise<void>;
  decode(chunk: Uint8Array): DecodedChunk | Promise<DecodedChunk>;
  flush?: () => Promise<DecodedChunk>;
  reset(): Promise<void>;
  free(): void;
}

export type CompressedFormat = Exclude<AudioFormat, 'wav'>;

const create: Record<CompressedFormat, () => StreamDecoder> = {
  flac: () => new FLACDecoder(),
  mp3: () => new MPEGDecoder(),
  'ogg-vorbis': () => new OggVorbisDecoder(),
  'ogg-opus': () => new OggOpusDecoder(),
};

/** Idle instances kept per format; more concurrent decodes get fresh ones, freed afterwards. */
const MAX_IDLE = 2;
const idle: Record<CompressedFormat, StreamDecoder[]> = {
  flac: [],
  mp3: [],
  'ogg-vorbis': [],
  'ogg-opus': [],
};

/**
 * Runs `use` with a decoder of `format` that nobody else is using. Instances are reused
 * (instantiating WASM costs milliseconds) and reset between uses; one that threw is freed,
 * since its WASM state is unknown. Every instance not kept idle is freed: the WASM heap
 * does not shrink by itself.
 */
export async function withDecoder<T>(
  format: CompressedFormat,
  use: (decoder: StreamDecoder) => Promise<T>,
): Promise<T> {
  const decoder = idle[format].pop() ?? create[format]();
  let healthy = false;
  try {
    await decoder.ready;
    const result = await use(decoder);
    healthy = true;
    return result;
  } finally {
    let keep = healthy && idle[format].length < MAX_IDLE;
    if (keep) {
      try {
        await decoder.reset();
      } catch {
        keep = false;
      }
    }
    if (keep) idle[format].push(decoder);
    else decoder.free();
  }
}

/** Frees every idle decoder (tests, shutdown). */
export function freeIdleDecoders(): void {
  for (const list of Object.values(idle)) for (const d of list.splice(0)) d.free();
}

/** Idle decoders per format (tests assert the pool stays bounded). */
export function idleDecoderCount(format: CompressedFormat): number {
  return idle[format].length;
}
