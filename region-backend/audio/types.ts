/** Container/codec pairs the backend accepts, named by what the bytes are, never by a content type. */
export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis' | 'ogg-opus';

/** Audio as the engines take it: 16 kHz mono float32 in [-1, 1]. */
export interface DecodedAudio {
  /** 16 kHz mono, every sample finite and in [-1, 1]. */
  samples: Float32Array;
  /** Seconds, `samples.length / 16000`. */
  duration: number;
  sourceFormat: AudioFormat;
  sourceSampleRate: number;
  sourceChannels: number;
}

/** Duration bounds checked while decoding (seconds); violations are 422 problems. */
export interface AudioLimits {
  maxSeconds: number;
  minSeconds: number;
}

/** What a format decoder hands back: already mono and at 16 kHz. */
export interface DecodedSource {
  /** 16 kHz mono, finite; not yet peak-normalised. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
  /** Length of the source in its own samples per channel (duration = frames / sampleRate). */
  frames: number;
  /**
   * False when every sample is known to be within [-1, 1] (integer PCM at 16 kHz), which
   * lets the common upload skip the peak pass.
   */
  unbounded: boolean;
}

/** The rate every engine expects. */
export const TARGET_SAMPLE_RATE = 16_000;

/** Source rates outside this range are not audio anyone records; they are rejected up front. */
export const MIN_SOURCE_RATE = 1_000;
export const MAX_SOURCE_RATE = 768_000;
