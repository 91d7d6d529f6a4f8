import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ProblemError } from '../../shared/problem.ts';
import { decodeAudio } from './decode.ts';
import type { DecodeTaskResult } from './decode-task.ts';
import type { AudioLimits, DecodedAudio } from './types.ts';

/**
 * Decodes uploads in worker threads (piscina), so a minute of 44.1 kHz FLAC (~150 ms of CPU
 * here) does not stall every other request on the event loop. Small uploads are decoded inline:
 * handing them to a thread costs more than decoding them.
 *
 * @example
 * ```ts
 * const decoder = new DecoderPool({ maxSeconds: 3600, minSeconds: 0.1 });
 * const audio = await decoder.decode(bytes); // ProblemError (4xx) for bad audio
 * await decoder.close();
 * ```
 */
export class DecoderPool {
  private readonly pool: Piscina;

  constructor(
    private readonly limits: AudioLimits,
    options: { threads?: number; inlineBelowBytes?: number } = {},
  ) {
    this.inlineBelowBytes = options.inlineBelowBytes ?? 256 * 1024;
    this.pool = new Piscina({
      filename: new URL('./decode-worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: options.threads ?? Math.max(1, Math.min(2, availableParallelism())),
      idleTimeout: 30_000,
    });
  }

  private readonly inlineBelowBytes: number;

  async decode(bytes: Uint8Array): Promise<DecodedAudio> {
    if (bytes.length < this.inlineBelowBytes) return decodeAudio(bytes, this.limits);
    const result: DecodeTaskResult = await this.pool.run({ bytes, limits: this.limits });
    if (result.ok) return result.audio;
    throw new ProblemError(result.problem.code, result.problem.detail, {
      extra: result.problem.extra,
    });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
