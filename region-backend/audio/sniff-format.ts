import { ProblemError } from '../../shared/problem.ts';
import type { AudioFormat } from './types.ts';

const SUPPORTED = 'WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus';

const ascii = (bytes: Uint8Array, at: number, text: string) => {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

/** Length of the ID3v2 tags (there may be several) at the start of `bytes`, 0 when none. */
export function id3Length(bytes: Uint8Array): number {
  let at = 0;
  while (ascii(bytes, at, 'ID3') && at + 10 <= bytes.length) {
    const size = [6, 7, 8, 9].reduce((s, i) => (s << 7) | (bytes[at + i]! & 0x7f), 0);
    const footer = bytes[at + 5]! & 0x10 ? 10 : 0;
    at += 10 + size + footer;
  }
  return at;
}

const MPEG_BITRATES_KBPS = {
  // [version 1, version 2/2.5] x [layer I, II, III]
  v1: [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  v2: [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
};
const MPEG_RATES = [44100, 48000, 32000];

/** Byte length of the MPEG audio frame whose header starts at `at`, or 0 if it is not one. */
export function mpegFrameLength(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) return 0;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return 0;
  const version = (b1 >> 3) & 3; // 0: 2.5, 1: reserved, 2: 2, 3: 1
  const layer = (b1 >> 1) & 3; // 1: III, 2: II, 3: I, 0: reserved (AAC ADTS uses 0)
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return 0;
  const layerRow = 3 - layer; // 0: I, 1: II, 2: III
  const kbps = (version === 3 ? MPEG_BITRATES_KBPS.v1 : MPEG_BITRATES_KBPS.v2)[layerRow]![
    bitrateIndex
  ]!;
  const rate = MPEG_RATES[rateIndex]! / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  if (layerRow === 0) return (Math.floor((12 * kbps * 1000) / rate) + padding) * 4;
  const perFrame = layerRow === 2 && version !== 3 ? 72 : 144;
  return Math.floor((perFrame * kbps * 1000) / rate) + padding;
}

/**
 * Channels of an MP3 as its first frame header says (1 for mono, else 2); the decoder
 * always outputs two, duplicating mono.
 */
export function mpegChannels(bytes: Uint8Array): number {
  const at = id3Length(bytes);
  return mpegFrameLength(bytes, at) > 0 && bytes[at + 3]! >> 6 === 3 ? 1 : 2;
}

/**
 * Names the format of `bytes` from its magic numbers (never from a declared content type).
 * Throws a 415 problem for anything else, naming what was recognised when that helps.
 */
export function sniffAudioFormat(bytes: Uint8Array): AudioFormat {
  if ((ascii(bytes, 0, 'RIFF') || ascii(bytes, 0, 'RF64')) && ascii(bytes, 8, 'WAVE')) return 'wav';
  if (ascii(bytes, 0, 'OggS')) return sniffOgg(bytes);
  const start = id3Length(bytes);
  if (ascii(bytes, start, 'fLaC')) return 'flac';
  const first = mpegFrameLength(bytes, start);
  if (first > 0) {
    // A lone sync word is common in random bytes: after no tag, insist on a second frame
    // right behind the first (or the end of the data).
    const next = start + first;
    if (start > 0 || next >= bytes.length || mpegFrameLength(bytes, next) > 0) return 'mp3';
  }
  let hint = '';
  if (ascii(bytes, 0, 'RIFF')) hint = ' (a RIFF file that is not WAVE)';
  else if (bytes[0] === 0xff && bytes.length > 1 && (bytes[1]! & 0xf6) === 0xf0)
    hint = ' (looks like AAC/ADTS)';
  else if (ascii(bytes, 4, 'ftyp')) hint = ' (looks like MP4/M4A)';
  else if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    hint = ' (looks like Matroska/WebM)';
  else if (ascii(bytes, 0, 'FORM')) hint = ' (looks like AIFF)';
  throw new ProblemError(
    'unsupportedMediaType',
    `Unrecognised audio format${hint}; send ${SUPPORTED}. The format is read from the bytes, not the content type.`,
  );
}

/** An Ogg stream's codec is named by its first packet, which starts right after page one's header. */
function sniffOgg(bytes: Uint8Array): AudioFormat {
  const segments = bytes[26];
  if (segments !== undefined) {
    const packet = 27 + segments;
    if (ascii(bytes, packet, 'OpusHead')) return 'ogg-opus';
    if (bytes[packet] === 1 && ascii(bytes, packet + 1, 'vorbis')) return 'ogg-vorbis';
    if (bytes[packet] === 0x7f && ascii(bytes, packet + 1, 'FLAC'))
      throw new ProblemError(
        'unsupportedMediaType',
        `FLAC inside Ogg is not supported; send native FLAC or ${SUPPORTED}.`,
      );
    if (ascii(bytes, packet, 'Speex'))
      throw new ProblemError(
        'unsupportedMediaType',
        `Ogg Speex is not supported; send ${SUPPORTED}.`,
      );
  }
  throw new ProblemError(
    'unsupportedMediaType',
    `Ogg stream with an unrecognised or missing codec header; send ${SUPPORTED}.`,
  );
}
