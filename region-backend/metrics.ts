import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from './engines/engine-breaker.ts';

/**
 * Seconds buckets for work that takes from milliseconds (a cache hit) to minutes (an hour of
 * audio on CPU).
 */
export const SECONDS_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
] as const;

/** Items per batch, up to the largest `maxBatchSize` the config allows. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;

/** `falign_breaker_state` values: alerts fire on 2. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/** What the queue gauges read at scrape time (a `DynamicBatcher`'s `stats()` fits). */
export interface QueueGaugeSource {
  queueDepth: number;
  capacity: number;
  inFlight: number;
}

export interface BackendMetricsOptions {
  /** Defaults to a new Registry (never the global one), so tests can create several. */
  registry?: Registry;
  /** Process and Node.js metrics (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
}

/**
 * The regional backend's Prometheus metrics. The metric names are a contract with the
 * Terraform alerts and dashboards: do not rename them.
 *
 * @example
 * const metrics = new BackendMetrics();
 * metrics.trackQueue(() => batcher.stats());
 * breaker.onStateChange((state) => metrics.setBreakerState('qwen3', state));
 * const app = createBackendApp({ ...deps, metrics, observeHttp: metrics.observeHttp });
 * // GET /metrics -> metrics.text(), content type metrics.contentType
 */
export class BackendMetrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly queueWait: Histogram;
  readonly batchSize: Histogram;
  readonly engineCompute: Histogram<'engine'>;
  readonly audioSecondsAligned: Counter<'engine'>;
  readonly cacheRequests: Counter<'layer' | 'result'>;
  readonly breakerState: Gauge<'engine'>;
  readonly queueDepth: Gauge;
  readonly queueCapacity: Gauge;
  readonly inFlight: Gauge;
  private queueSource: (() => QueueGaugeSource) | undefined;

  constructor(options: BackendMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    const registers = [registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

    this.httpRequestDuration = new Histogram({
      name: 'falign_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [...SECONDS_BUCKETS],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'falign_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'falign_queue_wait_seconds',
      help: 'Time an item waited in the batcher before its batch started.',
      buckets: [...SECONDS_BUCKETS],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'falign_batch_size',
      help: 'Items per engine batch.',
      buckets: [...BATCH_SIZE_BUCKETS],
      registers,
    });
    this.engineCompute = new Histogram({
      name: 'falign_engine_compute_seconds',
      help: 'Engine time per batch, by the engine that answered.',
      labelNames: ['engine'],
      buckets: [...SECONDS_BUCKETS],
      registers,
    });
    this.audioSecondsAligned = new Counter({
      name: 'falign_audio_seconds_aligned_total',
      help: 'Seconds of audio aligned, by the engine that answered.',
      labelNames: ['engine'],
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'falign_cache_requests_total',
      help: 'Result cache lookups by layer (local, global) and result (hit, miss).',
      labelNames: ['layer', 'result'],
      registers,
    });
    this.breakerState = new Gauge({
      name: 'falign_breaker_state',
      help: 'Engine circuit breaker state: 0 closed, 1 half-open, 2 open.',
      labelNames: ['engine'],
      registers,
    });
    // The queue gauges are read from the batcher when Prometheus scrapes, so they never lag.
    this.queueDepth = new Gauge({
      name: 'falign_queue_depth',
      help: 'Items waiting in the batcher.',
      registers,
      collect: () => this.readQueue((q) => this.queueDepth.set(q.queueDepth)),
    });
    this.queueCapacity = new Gauge({
      name: 'falign_queue_capacity',
      help: 'Most items the batcher queue holds before answering 503.',
      registers,
      collect: () => this.readQueue((q) => this.queueCapacity.set(q.capacity)),
    });
    this.inFlight = new Gauge({
      name: 'falign_in_flight',
      help: 'Items in batches the engine is running.',
      registers,
      collect: () => this.readQueue((q) => this.inFlight.set(q.inFlight)),
    });
  }

  /** The Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * One finished HTTP request. `route` must be the route pattern (e.g. `/api/tasks/:taskId`),
   * never the raw path, or every task id becomes a time series. Bound, so it can be passed as is.
   */
  readonly observeHttp = (method: string, route: string, status: number, seconds: number): void => {
    const labels = { method, route, status: String(status) };
    this.httpRequestDuration.observe(labels, seconds);
    this.httpRequests.inc(labels);
  };

  /**
   * One batch run: its size and each item's queue wait (a `DynamicBatcher` `BatchEvent` fits).
   *
   * @example
   * new DynamicBatcher({ ...options, onBatch: (event) => metrics.observeBatch(event) });
   */
  observeBatch(batch: { size: number; queueWaitMs: readonly number[] }): void {
    this.batchSize.observe(batch.size);
    for (const ms of batch.queueWaitMs) this.queueWait.observe(ms / 1000);
  }

  /** Engine time for one batch, labelled with the engine that answered (a fallback names itself). */
  observeCompute(engine: string, seconds: number): void {
    this.engineCompute.observe({ engine }, seconds);
  }

  /** Audio aligned by `engine` (not counted for cache hits). */
  observeAligned(engine: string, audioSeconds: number): void {
    this.audioSecondsAligned.inc({ engine }, audioSeconds);
  }

  observeCache(layer: 'local' | 'global', result: 'hit' | 'miss'): void {
    this.cacheRequests.inc({ layer, result });
  }

  setBreakerState(engine: string, state: BreakerState): void {
    this.breakerState.set({ engine }, BREAKER_STATE_VALUE[state]);
  }

  /** Where the queue gauges read depth, capacity and in-flight items at scrape time. */
  trackQueue(source: () => QueueGaugeSource): void {
    this.queueSource = source;
  }

  private readQueue(apply: (q: QueueGaugeSource) => void): void {
    if (this.queueSource) apply(this.queueSource());
  }
}
