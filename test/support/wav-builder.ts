// WAV files for tests: the product's encoder (headers may be made to lie), and test tones.
export { encodeWav as buildWav, type WavSpec } from '../../region-backend/audio/wav-encoder.ts';

/** A tone with a little noise: enough signal for decoders, not speech. */
export function tone(seconds: number, sampleRate: number, channels = 1, freq = 440): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    const x = 0.3 * Math.sin((2 * Math.PI * freq * i) / sampleRate);
    for (let c = 0; c < channels; c++) out[i * channels + c] = x;
  }
  return out;
}
