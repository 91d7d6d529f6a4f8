/**
 * A minimal RIFF/WAVE writer for the datasets the eval tools build (reading goes through
 * region-backend/audio's decodeAudio, like uploads).
 */
export interface PcmAudio {
  samples: Float32Array;
  sampleRate: number;
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
