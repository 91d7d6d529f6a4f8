import type { AlignmentEngine } from '../engine.ts';
import type { EngineOptions } from '../registry.ts';

// Placeholder until the dtw engine lands; it refuses to run rather than invent times.
export async function createDtwEngine(_options: EngineOptions): Promise<AlignmentEngine> {
  throw new Error('the dtw engine is not built yet');
}
