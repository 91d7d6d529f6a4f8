import { id3Length, mpegFrameLength } from '../../region-backend/audio/sniff-format.ts';

/** Where a chunk states its own length, so a mutation can make it lie. */
export interface SizeField {
  offset: number;
  bytes: 1 | 3 | 4;
  order: 'le' | 'be';
}

/** One structural unit of a file: a WAV chunk, a FLAC metadata block, an Ogg page, an MP3 frame. */
export interface Chunk {
  start: number;
  end: number;
  /** Absent for units whose length is implied by something else than a size field. */
  size?: SizeField;
}

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  text.split('').every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/** RIFF header plus each chunk (id, LE u32 size, data padded to even). */
function wavChunks(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [{ start: 0, end: 12, size: { offset: 4, bytes: 4, order: 'le' } }];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const size = view.getUint32(at + 4, true);
    const end = Math.min(bytes.length, at + 8 + size + (size & 1));
    chunks.push({ start: at, end, size: { offset: at + 4, bytes: 4, order: 'le' } });
    at = end;
  }
  return chunks;
}

/** `fLaC`, each metadata block (1-byte header, 24-bit BE length), then the frames as one unit. */
function flacChunks(bytes: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [{ start: 0, end: 4 }];
  let at = 4;
  while (at + 4 <= bytes.length) {
    const last = (bytes[at]! & 0x80) !== 0;
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const end = Math.min(bytes.length, at + 4 + length);
    chunks.push({ start: at, end, size: { offset: at + 1, bytes: 3, order: 'be' } });
    at = end;
    if (last) break;
  }
  if (at < bytes.length) chunks.push({ start: at, end: bytes.length });
  return chunks;
}

/** Each Ogg page; the size field lied about is its segment count. */
function oggChunks(bytes: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [];
  let at = 0;
  while (at + 27 <= bytes.length && ascii(bytes, at, 'OggS')) {
    const segments = bytes[at + 26]!;
    let length = 27 + segments;
    for (let i = 0; i < segments && at + 27 + i < bytes.length; i++) length += bytes[at + 27 + i]!;
    const end = Math.min(bytes.length, at + length);
    chunks.push({ start: at, end, size: { offset: at + 26, bytes: 1, order: 'be' } });
    at = end;
  }
  if (at < bytes.length) chunks.push({ start: at, end: bytes.length });
  return chunks;
}

/**
 * ID3v2 tags, then MPEG frames; a frame's length is implied by its bitrate/rate byte, so that
 * byte is the "size field" a lie rewrites.
 */
function mp3Chunks(bytes: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [];
  const tags = id3Length(bytes);
  if (tags > 0) chunks.push({ start: 0, end: Math.min(tags, bytes.length) });
  let at = tags;
  while (at < bytes.length) {
    const length = mpegFrameLength(bytes, at);
    if (length <= 0) break;
    const end = Math.min(bytes.length, at + length);
    chunks.push({ start: at, end, size: { offset: at + 2, bytes: 1, order: 'be' } });
    at = end;
  }
  if (at < bytes.length) chunks.push({ start: at, end: bytes.length });
  return chunks;
}

/**
 * Splits a file into its structural units by its magic number; anything unrecognised is one
 * unit. Tolerant of corrupt input: it only has to find units worth mutating.
 */
export function splitIntoChunks(bytes: Uint8Array): Chunk[] {
  let chunks: Chunk[];
  if (ascii(bytes, 0, 'RIFF')) chunks = wavChunks(bytes);
  else if (ascii(bytes, 0, 'fLaC')) chunks = flacChunks(bytes);
  else if (ascii(bytes, 0, 'OggS')) chunks = oggChunks(bytes);
  else chunks = mp3Chunks(bytes);
  return chunks.length > 0 ? chunks : [{ start: 0, end: bytes.length }];
}
