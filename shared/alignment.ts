import type { Language } from './languages.ts';
import type { TranscriptUnit } from './transcript.ts';

export type WordStatus = 'aligned' | 'interpolated' | 'not_found';

/** What an engine returns for one unit: seconds from the start of the audio, unclamped. */
export interface UnitTiming {
  start: number;
  end: number;
  /** 0..1, the engine's own belief in this unit's boundaries. */
  confidence: number;
  /** Defaults to 'aligned'. */
  status?: WordStatus;
}

export interface EngineInfo {
  /** Engine id: 'qwen3' | 'dtw' | test engines. */
  name: string;
  /** Model name, e.g. 'Qwen/Qwen3-ForcedAligner-0.6B' or 'espeak-ng+dtw'. */
  model: string;
  /** Model revision (commit or content hash); part of the cache key. */
  revision: string;
}

/** One word of the public result (DESIGN §3). */
export interface AlignedWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
  char_start: number;
  char_end: number;
  status: WordStatus;
}

/** The public alignment result (DESIGN §3). */
export interface AlignmentResult {
  task_id: string;
  language: Language;
  duration: number;
  engine: EngineInfo;
  words: AlignedWord[];
  cached: boolean;
  timing: { queue_ms: number; compute_ms: number };
}

/** What the result cache stores: engine output per unit, independent of the transcript's spelling. */
export interface CachedAlignment {
  engine: EngineInfo;
  language: Language;
  duration: number;
  timings: UnitTiming[];
  compute_ms: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Turns engine timings into public words: clamps every time to [0, duration], keeps
 * start <= end, rounds to milliseconds, and names each word by its slice of the transcript as
 * sent (punctuation around a word stays out; inside it, as in "e-mail", stays in).
 * A unit whose times had to be clamped is marked 'interpolated': it was not where the
 * engine put it.
 */
export function buildWords(
  transcript: string,
  units: readonly TranscriptUnit[],
  timings: readonly UnitTiming[],
  duration: number,
): AlignedWord[] {
  if (units.length !== timings.length) {
    throw new Error(`engine returned ${timings.length} timings for ${units.length} units`);
  }
  const cps = Array.from(transcript);
  return units.map((u, i) => {
    const t = timings[i]!;
    let status: WordStatus = t.status ?? 'aligned';
    const finite = Number.isFinite(t.start) && Number.isFinite(t.end);
    let start = finite ? t.start : 0;
    let end = finite ? t.end : 0;
    if (!finite) status = 'not_found';
    const cs = Math.min(Math.max(start, 0), duration);
    const ce = Math.min(Math.max(end, 0), duration);
    if ((cs !== start || ce !== end) && status === 'aligned') status = 'interpolated';
    start = cs;
    end = Math.max(ce, cs);
    return {
      text: cps.slice(u.charStart, u.charEnd).join(''),
      start: round3(start),
      end: round3(end),
      confidence: round3(Math.min(Math.max(t.confidence, 0), 1)),
      char_start: u.charStart,
      char_end: u.charEnd,
      status,
    };
  });
}
