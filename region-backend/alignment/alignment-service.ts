import { createHash } from 'node:crypto';
import {
  type AlignmentResult,
  buildWords,
  type CachedAlignment,
  type EngineInfo,
  type UnitTiming,
} from '../../shared/alignment.ts';
import { resultCacheKey } from '../../shared/cache-key.ts';
import type { Language } from '../../shared/languages.ts';
import { ProblemError } from '../../shared/problem.ts';
import type { TranscriptUnit } from '../../shared/transcript.ts';
import type { DecodedAudio } from '../audio/decode.ts';
import type { ResultCache } from '../cache/result-cache.ts';
import type { AlignmentItem } from '../engines/engine.ts';

/** What the pipeline behind the service (batcher -> breaker -> engine) answers for one item. */
export interface PipelineAnswer {
  /** The engine that actually answered (a fallback names itself). */
  engine: EngineInfo;
  timings: UnitTiming[];
  queueMs: number;
  computeMs: number;
}

export interface AlignmentServiceDeps {
  /** The engine a request gets when it names none, and the engines that may be named. */
  engines: { defaultEngine: string; info(name: string): EngineInfo | undefined; names(): string[] };
  /** Runs one item through batching, the breaker and the engine. */
  run(engine: string, item: AlignmentItem, signal?: AbortSignal): Promise<PipelineAnswer>;
  decode(bytes: Uint8Array): Promise<DecodedAudio>;
  units(text: string, language: Language): TranscriptUnit[];
  cache: ResultCache;
  limits: { maxTextChars: number };
  onAligned?(engine: string, audioSeconds: number): void;
}

export interface AlignInput {
  audio: Uint8Array;
  text: string;
  language: Language;
  engine?: string | undefined;
  taskId: string;
  signal?: AbortSignal;
}

/**
 * One alignment, start to finish: validate the transcript, look up the result cache (before
 * decoding, so a hit costs a hash and a lookup), decode, align through the pipeline, build the
 * public words, write the cache. Knows nothing of HTTP.
 */
export class AlignmentService {
  constructor(private readonly deps: AlignmentServiceDeps) {}

  async align(input: AlignInput): Promise<AlignmentResult> {
    const engineName = input.engine ?? this.deps.engines.defaultEngine;
    const units = this.checkTranscript(input.text, input.language);
    let info: EngineInfo | undefined;
    try {
      info = this.deps.engines.info(engineName);
    } catch (notReady) {
      // Bad input is reported as such even while the engine is unavailable.
      await this.deps.decode(input.audio);
      throw notReady;
    }
    if (!info) {
      throw new ProblemError(
        'validation',
        `engine '${engineName}' is not served here; available: ${this.deps.engines.names().join(', ')}`,
        { extra: { field: 'engine' } },
      );
    }
    const audioSha256 = createHash('sha256').update(input.audio).digest('hex');
    const key = await resultCacheKey({
      engine: info.name,
      revision: info.revision,
      language: input.language,
      audioSha256,
      text: input.text,
    });
    const hit = await this.deps.cache.get(key);
    if (hit && hit.timings.length === units.length) {
      return toResult(input, units, hit, true, 0);
    }

    const audio = await this.deps.decode(input.audio);
    const answer = await this.deps.run(
      engineName,
      { samples: audio.samples, language: input.language, text: input.text, units },
      input.signal,
    );
    const cached: CachedAlignment = {
      engine: answer.engine,
      language: input.language,
      duration: audio.duration,
      timings: answer.timings,
      compute_ms: answer.computeMs,
    };
    this.deps.onAligned?.(answer.engine.name, audio.duration);
    // A fallback engine's answer is cached under its own name, never under the primary's.
    const storeKey =
      answer.engine.name === info.name && answer.engine.revision === info.revision
        ? key
        : await resultCacheKey({
            engine: answer.engine.name,
            revision: answer.engine.revision,
            language: input.language,
            audioSha256,
            text: input.text,
          });
    await this.deps.cache.set(storeKey, cached);
    return toResult(input, units, cached, false, answer.queueMs);
  }

  private checkTranscript(text: string, language: Language): TranscriptUnit[] {
    const chars = [...text].length;
    if (chars > this.deps.limits.maxTextChars) {
      throw new ProblemError(
        'payloadTooLarge',
        `text has ${chars} characters; the limit is ${this.deps.limits.maxTextChars}`,
        { extra: { field: 'text' } },
      );
    }
    const units = this.deps.units(text, language);
    if (units.length === 0) {
      throw new ProblemError(
        'validation',
        'text contains no words to align (only spaces or punctuation)',
        {
          extra: { field: 'text' },
        },
      );
    }
    return units;
  }
}

function toResult(
  input: AlignInput,
  units: TranscriptUnit[],
  c: CachedAlignment,
  cached: boolean,
  queueMs: number,
): AlignmentResult {
  return {
    task_id: input.taskId,
    language: input.language,
    duration: Math.round(c.duration * 1000) / 1000,
    engine: c.engine,
    words: buildWords(input.text, units, c.timings, c.duration),
    cached,
    timing: { queue_ms: Math.round(queueMs), compute_ms: cached ? 0 : Math.round(c.compute_ms) },
  };
}
