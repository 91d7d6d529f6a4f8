/** Audio in: bytes of any supported format -> 16 kHz mono float32. */
export { decodeAudio } from './decode.ts';
export { resample } from './resample.ts';
export { sniffAudioFormat } from './sniff-format.ts';
export type { AudioFormat, AudioLimits, DecodedAudio } from './types.ts';
export { TARGET_SAMPLE_RATE } from './types.ts';
export { freeIdleDecoders } from './wasm-decoder-pool.ts';
