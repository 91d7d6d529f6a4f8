/**
 * Writes RIFF/WAVE files: 16-bit (or other) PCM or IEEE float, interleaved. The declared data
 * size can be overridden, so tests can also make files whose header lies.
 */
export interface WavSpec {
  sampleRate: number;
  channels: number;
  /** 1 = PCM, 3 = IEEE float. */
  format?: 1 | 3;
  bitsPerSample?: number;
  /** Interleaved sample values (floats in [-1, 1] for both formats). */
  samples: ArrayLike<number>;
  /** Override the data chunk's declared size (to lie). */
  declaredDataBytes?: number;
}

export function encodeWav(spec: WavSpec): Uint8Array {
  const format = spec.format ?? 1;
  const bits = spec.bitsPerSample ?? (format === 3 ? 32 : 16);
  const bytesPerSample = bits / 8;
  const dataBytes = spec.samples.length * bytesPerSample;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const ascii = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, format, true);
  v.setUint16(22, spec.channels, true);
  v.setUint32(24, spec.sampleRate, true);
  v.setUint32(28, spec.sampleRate * spec.channels * bytesPerSample, true);
  v.setUint16(32, spec.channels * bytesPerSample, true);
  v.setUint16(34, bits, true);
  ascii(36, 'data');
  v.setUint32(40, spec.declaredDataBytes ?? dataBytes, true);
  for (let i = 0; i < spec.samples.length; i++) {
    const x = spec.samples[i]!;
    const o = 44 + i * bytesPerSample;
    if (format === 3) v.setFloat32(o, x, true);
    else v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(x * 32767))), true);
  }
  return new Uint8Array(buf);
}
