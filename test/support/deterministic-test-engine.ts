import type { AlignmentEngine, AlignmentItem } from '../../region-backend/engines/engine.ts';
import type { UnitTiming } from '../../shared/alignment.ts';

/**
 * A TEST ENGINE for unit tests only: it spreads the units evenly over the audio, so its output
 * is a deterministic function of the input. It never runs in the served backend.
 */
export class DeterministicTestEngine implements AlignmentEngine {
  readonly info = { name: 'test-uniform', model: 'test', revision: 'r1' };
  readonly maxBatchSize = 8;
  readonly batches: number[] = [];

  async alignBatch(items: readonly AlignmentItem[]): Promise<UnitTiming[][]> {
    this.batches.push(items.length);
    return items.map((item) => {
      const duration = item.samples.length / 16_000;
      const step = duration / item.units.length;
      return item.units.map((_, i) => ({ start: i * step, end: (i + 1) * step, confidence: 0.5 }));
    });
  }

  async close(): Promise<void> {}
}
