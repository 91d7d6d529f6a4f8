import type { EngineInfo, UnitTiming } from '../../shared/alignment.ts';
import type { Language } from '../../shared/languages.ts';
import type { TranscriptUnit } from '../../shared/transcript.ts';

export const ENGINE_SAMPLE_RATE = 16_000;

/** One alignment job as an engine sees it: no HTTP, no files, no cache. */
export interface AlignmentItem {
  /** 16 kHz mono float32 in [-1, 1]. */
  samples: Float32Array;
  language: Language;
  /** The transcript as sent. */
  text: string;
  /** splitTranscript(text, language) (with the language's segmenter): what to time. */
  units: TranscriptUnit[];
}

/**
 * The one interface every engine implements (DESIGN §4). Engines know nothing of HTTP.
 * `alignBatch` returns, for each item in order, one timing per unit in order.
 */
export interface AlignmentEngine {
  readonly info: EngineInfo;
  /** Largest batch worth handing in at once. */
  readonly maxBatchSize: number;
  alignBatch(items: readonly AlignmentItem[], signal?: AbortSignal): Promise<UnitTiming[][]>;
  /** Frees sessions, workers, memory. */
  close(): Promise<void>;
}

/** Thrown by an engine for input it cannot align (answered as 422), as opposed to a fault. */
export class EngineInputError extends Error {
  override name = 'EngineInputError';
}

/** One unit as the official `align()` returns it (seconds, unclamped, unrepaired beyond the official fix). */
export interface RawUnitTiming {
  text: string;
  start_time: number;
  end_time: number;
}

/**
 * Engines that can reproduce the official package's output exactly (`falign align --raw`):
 * one forward pass per item, no chunking, no collapse repair, no clamping, no offsets.
 */
export interface RawAligner {
  alignRaw(samples: Float32Array, text: string, language: Language): Promise<RawUnitTiming[]>;
}

export function isRawAligner(engine: AlignmentEngine): engine is AlignmentEngine & RawAligner {
  return typeof (engine as Partial<RawAligner>).alignRaw === 'function';
}

/**
 * The engine cannot start as configured (missing model files, unusable device). The message
 * says what to do; the CLI prints it without a stack trace.
 */
export class EngineSetupError extends Error {
  override name = 'EngineSetupError';
}
