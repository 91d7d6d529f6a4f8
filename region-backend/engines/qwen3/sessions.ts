import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export type DeviceChoice = 'auto' | 'cuda' | 'cpu';

/** The execution provider a session ended up on. */
export type ExecutionDevice = 'cuda' | 'cpu';

function cpuOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads > 0 ? threads : availableParallelism(),
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    // Weights stay memory-mapped instead of being repacked at load: start-up in tens of ms
    // instead of seconds, with no run-time cost measured on this model's MatMuls.
    extra: { session: { disable_prepacking: '1' } },
  };
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed (it is downloaded at install
 * time unless skipped). `auto` only tries CUDA then, so CPU-only hosts start without noise.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    const bin = join(dist, '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(bin, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * Opens an ONNX model by path on the chosen device: `cuda` requires the CUDA provider,
 * `auto` tries it and falls back to the CPU, `cpu` never tries it.
 */
export async function openSession(
  path: string,
  device: DeviceChoice,
  threads: number,
): Promise<{ session: ort.InferenceSession; device: ExecutionDevice }> {
  if (device === 'cuda' || (device === 'auto' && cudaProviderInstalled())) {
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: ['cuda', 'cpu'],
        graphOptimizationLevel: 'all',
      });
      return { session, device: 'cuda' };
    } catch (err) {
      if (device === 'cuda') {
        throw new Error(
          `FA_DEVICE=cuda but the CUDA execution provider failed: ${(err as Error).message}`,
        );
      }
    }
  }
  return { session: await ort.InferenceSession.create(path, cpuOptions(threads)), device: 'cpu' };
}
