import type { AlignmentItem } from '../../../region-backend/engines/engine.ts';
import type { UnitTiming } from '../../../shared/alignment.ts';
import { DeterministicTestEngine } from '../../support/deterministic-test-engine.ts';

/**
 * A TEST ENGINE for in-process tests: the deterministic test engine, whose batches can be held
 * back (`hold()`/`release()`) to make an alignment outlast a `Prefer: wait`. Counts items run.
 */
export class GatedTestEngine extends DeterministicTestEngine {
  itemsRun = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    this.gate ??= new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open?.();
    this.gate = null;
    this.open = null;
  }

  override async alignBatch(items: readonly AlignmentItem[]): Promise<UnitTiming[][]> {
    if (this.gate) await this.gate;
    this.itemsRun += items.length;
    return super.alignBatch(items);
  }
}
