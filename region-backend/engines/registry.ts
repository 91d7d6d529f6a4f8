import type { AlignmentEngine } from './engine.ts';

/** What an engine factory may read; every field comes from the backend config or CLI flags. */
export interface EngineOptions {
  modelDir?: string | undefined;
  device: 'auto' | 'cuda' | 'cpu';
  /** Compute threads; 0 = one per core. */
  threads: number;
  maxBatchSize: number;
}

type EngineFactory = (options: EngineOptions) => Promise<AlignmentEngine>;

/**
 * Engines by id. Each is imported only when asked for, so the GPL eSpeak-NG build is loaded
 * only by the `dtw` engine and onnxruntime only by `qwen3`.
 */
const factories: Record<string, EngineFactory> = {
  dtw: async (o) => (await import('./dtw/index.ts')).createDtwEngine(o),
  qwen3: async (o) => (await import('./qwen3/index.ts')).createQwen3Engine(o),
};

export const ENGINE_IDS = Object.keys(factories);

export async function createEngine(id: string, options: EngineOptions): Promise<AlignmentEngine> {
  const factory = factories[id];
  if (!factory) {
    throw new Error(`unknown engine '${id}' (known: ${ENGINE_IDS.join(', ')})`);
  }
  return factory(options);
}
