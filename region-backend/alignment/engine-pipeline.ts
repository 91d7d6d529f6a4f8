import type { EngineInfo, UnitTiming } from '../../shared/alignment.ts';
import { ProblemError } from '../../shared/problem.ts';
import { DynamicBatcher } from '../batching/dynamic-batcher.ts';
import type { BackendConfig } from '../config.ts';
import { type AlignmentEngine, type AlignmentItem, EngineInputError } from '../engines/engine.ts';
import {
  type BreakerState,
  breakerSettingsFromConfig,
  EngineBreaker,
  EngineTimeoutError,
  EngineUnavailableError,
  type GuardedAlignment,
} from '../engines/engine-breaker.ts';
import type { BackendMetrics } from '../metrics.ts';
import type { PipelineAnswer } from './alignment-service.ts';

interface Lane {
  engine: AlignmentEngine;
  breaker: EngineBreaker;
  batcher: DynamicBatcher<AlignmentItem, { engine: EngineInfo; timings: UnitTiming[] }>;
}

/**
 * Every engine this backend serves, each behind its own circuit breaker and dynamic batcher:
 * request -> batcher (similar durations together) -> breaker (fallback while open) -> engine.
 */
export class EnginePipeline {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    readonly defaultEngine: string,
    engines: { engine: AlignmentEngine; fallback?: AlignmentEngine | undefined }[],
    config: Pick<
      BackendConfig,
      | 'maxBatchSize'
      | 'maxQueueDelayMs'
      | 'maxQueueLength'
      | 'breakerTimeoutMs'
      | 'breakerErrorPercent'
      | 'breakerResetMs'
      | 'breakerVolumeThreshold'
    >,
    metrics?: BackendMetrics,
    /** Told about every engine fault turned into a 503 (for the log). */
    private readonly onEngineFault?: (engine: string, err: unknown) => void,
  ) {
    for (const { engine, fallback } of engines) {
      const breaker = new EngineBreaker(engine, { ...breakerSettingsFromConfig(config), fallback });
      metrics?.setBreakerState(engine.info.name, breaker.state);
      breaker.onStateChange((state) => metrics?.setBreakerState(engine.info.name, state));
      const batcher = new DynamicBatcher<
        AlignmentItem,
        { engine: EngineInfo; timings: UnitTiming[] }
      >({
        run: async (items) => {
          const started = performance.now();
          const out: GuardedAlignment = await breaker.alignBatch(items);
          metrics?.observeCompute(out.engine.name, (performance.now() - started) / 1000);
          return out.timings.map((timings) => ({ engine: out.engine, timings }));
        },
        maxBatchSize: Math.min(config.maxBatchSize, engine.maxBatchSize),
        maxQueueDelayMs: config.maxQueueDelayMs,
        maxQueueLength: config.maxQueueLength,
        // Retrying items one by one only helps when one item may be the cause.
        retryAlone: (err) =>
          !(err instanceof EngineUnavailableError || err instanceof EngineTimeoutError),
        onBatch: (event) => metrics?.observeBatch(event),
      });
      this.lanes.set(engine.info.name, { engine, breaker, batcher });
    }
    if (!this.lanes.has(defaultEngine))
      throw new Error(`default engine ${defaultEngine} is not loaded`);
  }

  names(): string[] {
    return [...this.lanes.keys()];
  }

  info(name: string): EngineInfo | undefined {
    return this.lanes.get(name)?.engine.info;
  }

  /** Runs one item through the named engine's batcher and breaker. */
  async run(name: string, item: AlignmentItem, signal?: AbortSignal): Promise<PipelineAnswer> {
    const lane = this.lanes.get(name);
    if (!lane) throw new Error(`engine ${name} is not loaded`);
    let out: Awaited<ReturnType<typeof lane.batcher.submitTimed>>;
    try {
      out = await lane.batcher.submitTimed(item, {
        durationSeconds: item.samples.length / 16_000,
        signal,
      });
    } catch (err) {
      throw this.asEngineFault(name, err, signal);
    }
    return {
      engine: out.value.engine,
      timings: out.value.timings,
      queueMs: out.queueMs,
      computeMs: out.computeMs,
    };
  }

  /**
   * An engine that throws something other than a problem (a crashed session, a worker that
   * died) failed this request for reasons that are not the client's: answered as 503 with a
   * short Retry-After, so the edge tries another region and a task waits for the engine. Bad
   * input (EngineInputError) and problems pass through unchanged.
   */
  private asEngineFault(name: string, err: unknown, signal?: AbortSignal): unknown {
    if (err instanceof ProblemError || err instanceof EngineInputError || signal?.aborted)
      return err;
    this.onEngineFault?.(name, err);
    return new ProblemError(
      'engineUnavailable',
      `the ${name} engine failed on this request; retry shortly`,
      {
        extra: { retry_after: 1, engine: name },
        cause: err,
      },
    );
  }

  /** Queue figures summed over engines, for beacons, metrics and readiness. */
  stats(): { queueDepth: number; capacity: number; inFlight: number; computeP50Ms: number | null } {
    let queueDepth = 0;
    let capacity = 0;
    let inFlight = 0;
    let computeP50Ms: number | null = null;
    for (const lane of this.lanes.values()) {
      const s = lane.batcher.stats();
      queueDepth += s.queueDepth;
      capacity += s.capacity;
      inFlight += s.inFlight;
      if (lane.engine.info.name === this.defaultEngine) computeP50Ms = s.computeP50Ms;
    }
    return { queueDepth, capacity, inFlight, computeP50Ms };
  }

  /** The default engine's breaker state, and whether it has a fallback to answer while open. */
  breakerState(): { state: BreakerState; hasFallback: boolean } {
    const lane = this.lanes.get(this.defaultEngine)!;
    return { state: lane.breaker.state, hasFallback: lane.breaker.fallback !== undefined };
  }

  /** Runs what is queued, then stops the breakers. Engines are closed by their owner. */
  async drain(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.batcher.drain()));
    for (const l of this.lanes.values()) l.breaker.shutdown();
  }
}
