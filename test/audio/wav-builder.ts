/**
 * Builds WAV files for tests, including broken ones: every header field can be overridden
 * so a test can make the header lie.
 */
export interface WavSpec {
  /** Per-channel samples in [-1, 1] (or any float for float formats: NaN, 2.5, ...). */
  channels: Float32Array[];
  sampleRate: number;
  format: 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
  extensible?: boolean;
  /** Header overrides. */
  declaredChannels?: number;
  declaredRate?: number;
  declaredBits?: number;
  declaredTag?: number;
  declaredDataBytes?: number;
  /** Extra chunk before fmt (e.g. LIST), to exercise the chunk walk. */
  junkChunkBytes?: number;
}

const BITS = { u8: 8, s16: 16, s24: 24, s32: 32, f32: 32, f64: 64 } as const;

export function buildWav(spec: WavSpec): Uint8Array {
  const bits = BITS[spec.format];
  const bytesPer = bits / 8;
  const channelCount = spec.channels.length;
  const frames = spec.channels[0]?.length ?? 0;
  const dataBytes = frames * channelCount * bytesPer;
  const fmtBytes = spec.extensible ? 40 : 16;
  const junk = spec.junkChunkBytes ?? 0;
  const junkTotal = junk ? 8 + junk + (junk & 1) : 0;
  const total = 12 + junkTotal + 8 + fmtBytes + 8 + dataBytes;
  const buf = new ArrayBuffer(total);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const str = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) u8[at + i] = s.charCodeAt(i);
  };
  str(0, 'RIFF');
  v.setUint32(4, total - 8, true);
  str(8, 'WAVE');
  let at = 12;
  if (junk) {
    str(at, 'LIST');
    v.setUint32(at + 4, junk, true);
    at += junkTotal;
  }
  const tag = spec.format.startsWith('f') ? 3 : 1;
  str(at, 'fmt ');
  v.setUint32(at + 4, fmtBytes, true);
  v.setUint16(at + 8, spec.declaredTag ?? (spec.extensible ? 0xfffe : tag), true);
  const ch = spec.declaredChannels ?? channelCount;
  v.setUint16(at + 10, ch, true);
  v.setUint32(at + 12, spec.declaredRate ?? spec.sampleRate, true);
  v.setUint32(at + 16, spec.sampleRate * channelCount * bytesPer, true);
  v.setUint16(at + 20, channelCount * bytesPer, true);
  v.setUint16(at + 22, spec.declaredBits ?? bits, true);
  if (spec.extensible) {
    v.setUint16(at + 24, 22, true);
    v.setUint16(at + 26, bits, true);
    v.setUint32(at + 28, 0, true);
    v.setUint16(at + 32, tag, true); // sub-format GUID: tag + KSDATAFORMAT suffix
    u8.set(
      [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
      at + 34,
    );
  }
  at += 8 + fmtBytes;
  str(at, 'data');
  v.setUint32(at + 4, spec.declaredDataBytes ?? dataBytes, true);
  at += 8;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channelCount; c++, at += bytesPer) {
      const x = spec.channels[c]![f]!;
      const clamp = (y: number) => Math.max(-1, Math.min(1, y));
      switch (spec.format) {
        case 'u8':
          v.setUint8(at, Math.round(clamp(x) * 127) + 128);
          break;
        case 's16':
          v.setInt16(at, Math.round(clamp(x) * 32767), true);
          break;
        case 's24': {
          const s = Math.round(clamp(x) * 8388607);
          v.setUint8(at, s & 0xff);
          v.setUint8(at + 1, (s >> 8) & 0xff);
          v.setUint8(at + 2, (s >> 16) & 0xff);
          break;
        }
        case 's32':
          v.setInt32(at, Math.round(clamp(x) * 2147483647), true);
          break;
        case 'f32':
          v.setFloat32(at, x, true);
          break;
        case 'f64':
          v.setFloat64(at, x, true);
          break;
      }
    }
  }
  return u8;
}

/** A sine of `hz` at amplitude `amp`, `seconds` long. */
export function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** RMS over the middle 80 % (edges excluded: the filter sees silence beyond them). */
export function middleRms(x: Float32Array): number {
  const a = Math.floor(x.length * 0.1);
  const b = Math.floor(x.length * 0.9);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, b - a));
}

/** A seeded PRNG (LCG) so "random bytes" tests are reproducible. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
