import type { Redis } from '@upstash/redis';
import type { RegionBeacon } from '../../shared/beacon.ts';
import type { RunningBackend } from '../server/backend.ts';
import { BeaconPublisher } from './beacon-publisher.ts';
import { type GpuProbe, NvidiaSmiGpuProbe } from './gpu-probe.ts';

/**
 * The beacon snapshot of a running backend: where it is, whether it can take work, and how
 * loaded it is. `healthy` is false once the engine failed to load; `ready` also needs a
 * loaded engine, a breaker that is not open without a fallback, and room in the queue.
 */
export function backendSnapshot(
  backend: Pick<RunningBackend, 'config' | 'url' | 'pipeline' | 'engineReady'>,
  state: { failed: boolean; draining: boolean },
): () => Omit<RegionBeacon, 'at' | 'gpu'> {
  const { config } = backend;
  return () => {
    const pipeline = backend.pipeline();
    const stats = pipeline?.stats();
    const breaker = pipeline?.breakerState();
    const ready =
      !state.failed &&
      !state.draining &&
      pipeline !== null &&
      !(breaker?.state === 'open' && !breaker.hasFallback) &&
      (stats ? stats.queueDepth < stats.capacity : false);
    return {
      region: config.region,
      url: config.publicUrl ?? backend.url,
      latitude: config.latitude,
      longitude: config.longitude,
      healthy: !state.failed && !state.draining,
      ready,
      queue_depth: stats?.queueDepth ?? 0,
      in_flight: stats?.inFlight ?? 0,
      breaker: breaker?.state ?? 'closed',
      compute_p50_ms: stats?.computeP50Ms ?? null,
      engine: pipeline?.info(pipeline.defaultEngine) ?? {
        name: config.engine,
        model: 'loading',
        revision: 'loading',
      },
    };
  };
}

/** A started beacon for a backend; `drain(true)` reports it unhealthy so the edge steers away. */
export interface BackendBeacon {
  publisher: BeaconPublisher;
  drain(on: boolean): void;
  stop(): Promise<void>;
}

/** Starts publishing a backend's beacon to global Redis (GPU figures from nvidia-smi). */
export function startBackendBeacon(
  backend: Pick<RunningBackend, 'config' | 'url' | 'pipeline' | 'engineReady'>,
  redis: Redis,
  options: { gpu?: GpuProbe; intervalMs?: number; onError?: (err: unknown) => void } = {},
): BackendBeacon {
  const state = { failed: false, draining: false };
  backend.engineReady.catch(() => {
    state.failed = true;
  });
  const publisher = new BeaconPublisher({
    redis,
    snapshot: backendSnapshot(backend, state),
    gpu: options.gpu ?? new NvidiaSmiGpuProbe(),
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  publisher.start();
  return {
    publisher,
    drain(on) {
      state.draining = on;
      void publisher.publishOnce().catch((err) => options.onError?.(err));
    },
    stop: () => publisher.stop(),
  };
}
