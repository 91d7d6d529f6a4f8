import { encodeWav } from '../audio/wav-encoder.ts';

/** Mono audio at any rate, for the datasets the eval tools build. */
export interface PcmAudio {
  samples: Float32Array;
  sampleRate: number;
}

/**
 * 16-bit PCM mono WAV (reading goes through region-backend/audio's decodeAudio, like uploads).
 */
export function writeWav(audio: PcmAudio): Uint8Array {
  return encodeWav({ sampleRate: audio.sampleRate, channels: 1, samples: audio.samples });
}
