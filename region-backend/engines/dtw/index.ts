import { availableParallelism } from 'node:os';
import type { UnitTiming } from '../../../shared/alignment.ts';
import type { AlignmentEngine, AlignmentItem } from '../engine.ts';
import type { EngineOptions } from '../registry.ts';
import { engineRevision, espeakPackageVersion } from './revision.ts';
import { DtwWorkerPool } from './worker-pool.ts';

/** Worker threads at most: each holds its own eSpeak-NG (~100 MB). */
const MAX_WORKERS = 4;

/**
 * The weights-free default engine: eSpeak-NG speaks the transcript, DTW warps its features onto
 * the recording's, and eSpeak's word times are carried across (DESIGN §4). All work happens in
 * worker threads. eSpeak-NG (GPL-3.0) is an optional dependency loaded only here.
 */
export async function createDtwEngine(options: EngineOptions): Promise<AlignmentEngine> {
  const espeakVersion = espeakPackageVersion();
  const size = Math.min(
    MAX_WORKERS,
    Math.max(1, options.threads > 0 ? options.threads : availableParallelism()),
  );
  const pool = new DtwWorkerPool(size);
  await pool.start();
  return {
    info: { name: 'dtw', model: 'espeak-ng+dtw', revision: engineRevision(espeakVersion) },
    maxBatchSize: Math.max(1, options.maxBatchSize),
    async alignBatch(
      items: readonly AlignmentItem[],
      signal?: AbortSignal,
    ): Promise<UnitTiming[][]> {
      signal?.throwIfAborted();
      const results = await Promise.all(items.map((item) => pool.alignOne(item)));
      signal?.throwIfAborted();
      results.forEach((timings, i) => {
        if (timings.length !== items[i]!.units.length) {
          throw new Error(
            `dtw returned ${timings.length} timings for ${items[i]!.units.length} units`,
          );
        }
      });
      return results;
    },
    close: () => pool.close(),
  };
}
