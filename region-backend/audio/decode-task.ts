import { Piscina } from 'piscina';
import { ProblemError } from '../../shared/problem.ts';
import { decodeAudio } from './decode.ts';
import type { AudioLimits, DecodedAudio } from './types.ts';

/** What crosses the thread boundary: class instances do not survive structured cloning. */
export type DecodeTaskResult =
  | { ok: true; audio: DecodedAudio }
  | {
      ok: false;
      problem: { code: ProblemError['code']; detail: string; extra: Record<string, unknown> };
    };

/** Runs in a worker thread; the decoded samples are moved, not copied, back to the caller. */
export async function decodeAudioInWorker(task: {
  bytes: Uint8Array;
  limits: AudioLimits;
}): Promise<DecodeTaskResult> {
  try {
    const audio = await decodeAudio(task.bytes, task.limits);
    const result: DecodeTaskResult = { ok: true, audio };
    // Move the samples' buffer to the caller instead of copying it.
    const moved = {
      get [Piscina.transferableSymbol]() {
        return audio.samples.buffer;
      },
      get [Piscina.valueSymbol]() {
        return result;
      },
    };
    // piscina types its symbols as plain `symbol`, so the object needs a cast to match.
    return Piscina.move(
      moved as unknown as Parameters<typeof Piscina.move>[0],
    ) as unknown as DecodeTaskResult;
  } catch (err) {
    if (err instanceof ProblemError) {
      return { ok: false, problem: { code: err.code, detail: err.message, extra: err.extra } };
    }
    throw err;
  }
}
