import { ProblemError } from '../../shared/problem.ts';

const CRC_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  CRC_TABLE[i] = r >>> 0;
}

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, zero init) of a page whose CRC field reads 0. */
function pageCrc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const b = i - start >= 22 && i - start < 26 ? 0 : bytes[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  }
  return crc;
}

/**
 * Walks the Ogg pages of `bytes`, checking each one's capture pattern and CRC, and returns
 * the length of the prefix made of complete pages. A cut-off last page is dropped (the
 * decoders would otherwise conceal the missing packets with seconds of made-up audio); a
 * damaged page rejects the file.
 */
export function completeOggLength(bytes: Uint8Array, name: string): number {
  let at = 0;
  let page = 0;
  while (at + 27 <= bytes.length) {
    page++;
    if (
      bytes[at] !== 0x4f ||
      bytes[at + 1] !== 0x67 ||
      bytes[at + 2] !== 0x67 ||
      bytes[at + 3] !== 0x53 ||
      bytes[at + 4] !== 0
    )
      throw new ProblemError('invalidAudio', `${name} is corrupt: page ${page} has no Ogg header.`);
    const segments = bytes[at + 26]!;
    if (at + 27 + segments > bytes.length) break;
    let size = 27 + segments;
    for (let s = 0; s < segments; s++) size += bytes[at + 27 + s]!;
    if (at + size > bytes.length) break;
    const stored =
      (bytes[at + 22]! |
        (bytes[at + 23]! << 8) |
        (bytes[at + 24]! << 16) |
        (bytes[at + 25]! << 24)) >>>
      0;
    if (pageCrc(bytes, at, at + size) !== stored)
      throw new ProblemError(
        'invalidAudio',
        `${name} is corrupt: page ${page} fails its CRC check.`,
      );
    at += size;
  }
  return at;
}
