import type { AlignmentEngine } from '../engine.ts';
import type { EngineOptions } from '../registry.ts';

// Placeholder until the qwen3 engine lands; it refuses to run rather than invent times.
export async function createQwen3Engine(_options: EngineOptions): Promise<AlignmentEngine> {
  throw new Error('the qwen3 engine is not built yet');
}
