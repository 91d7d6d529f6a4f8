/**
 * A minimal RIFF/WAVE reader and writer (PCM 16-bit or float 32, any channels) for datasets the
 * eval tools build themselves; the service decodes uploads with region-backend/audio.
 */
export interface PcmAudio {
  samples: Float32Array;
  sampleRate: number;
}

export function readWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let at = 12;
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    let size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === 0xfffe) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      // Streams written to a pipe leave the size unset (0 or 0xffffffff).
      if (size === 0 || body + size > bytes.length) size = bytes.length - body;
      const frameBytes = (bits / 8) * channels;
      const frames = Math.floor(size / frameBytes);
      const samples = new Float32Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) {
          const p = body + f * frameBytes + (c * bits) / 8;
          if (format === 1 && bits === 16) sum += view.getInt16(p, true) / 32768;
          else if (format === 3 && bits === 32) sum += view.getFloat32(p, true);
          else throw new Error(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
        }
        samples[f] = sum / channels;
      }
      return { samples, sampleRate };
    }
    at = body + size + (size & 1);
  }
  throw new Error('WAV file has no data chunk');
}

/** 16-bit PCM mono WAV. */
export function writeWav(audio: PcmAudio): Uint8Array {
  const n = audio.samples.length;
  const bytes = new Uint8Array(44 + n * 2);
  const view = new DataView(bytes.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + n * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) {
    const x = Math.max(-1, Math.min(1, audio.samples[i]!));
    view.setInt16(44 + i * 2, Math.round(x * 32767), true);
  }
  return bytes;
}
