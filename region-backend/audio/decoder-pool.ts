import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ProblemError } from '../../shared/problem.ts';
import { decodeAudio } from './decode.ts';
import type { DecodeTaskResult } from './decode-task.ts';
import type { AudioLimits, DecodedAudio } from './types.ts';

/**
 * Decodes uploads in worker threads (piscina), so a minute of 44.1 kHz FLAC (~150 ms of CPU
 * here) does not stall every other request on the event loop. Small uploads, and WAV already at
 * 16 kHz (a copy, ~1 ms a minute), are decoded inline: handing them to a thread costs more.
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
    if (bytes.length < this.inlineBelowBytes || isWavAt16k(bytes))
      return decodeAudio(bytes, this.limits);
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

/** A RIFF/WAVE file whose fmt chunk says 16 kHz: nothing to resample. Anything odd says no. */
function isWavAt16k(bytes: Uint8Array): boolean {
  if (bytes.length < 44) return false;
  const ascii = (at: number) =>
    String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The fmt chunk comes first in nearly every file; look a few chunks in at most.
  let at = 12;
  for (let i = 0; i < 8 && at + 16 <= bytes.length; i++) {
    const size = view.getUint32(at + 4, true);
    if (ascii(at) === 'fmt ')
      return at + 12 <= bytes.length && view.getUint32(at + 12, true) === 16_000;
    at += 8 + size + (size & 1);
  }
  return false;
}
