/**
 * Total samples per channel that a FLAC file's STREAMINFO declares (0 when unknown), read
 * from `start` (the 'fLaC' marker). Only used to detect a stream that decodes to less.
 */
export function flacDeclaredSamples(bytes: Uint8Array, start: number): number {
  const info = start + 8; // 'fLaC' + metadata block header; STREAMINFO is always first
  if (info + 18 > bytes.length || (bytes[start + 4]! & 0x7f) !== 0) return 0;
  const high = bytes[info + 13]! & 0x0f;
  const low =
    ((bytes[info + 14]! << 24) |
      (bytes[info + 15]! << 16) |
      (bytes[info + 16]! << 8) |
      bytes[info + 17]!) >>>
    0;
  return high * 2 ** 32 + low;
}
