import { BatcherClosedError, ItemFailure, QueueFullError } from './batcher-errors.ts';
import { DurationQueue } from './duration-queue.ts';

export { BatcherClosedError, ItemFailure, QueueFullError };

/**
 * Runs one batch. Returns one output per item, in order; an `ItemFailure` in place of an output
 * fails that item only. Throwing fails the whole batch (see `retryAlone`).
 */
export type BatchRun<I, O> = (items: I[]) => Promise<Array<O | ItemFailure>>;

export interface DynamicBatcherOptions<I, O> {
  run: BatchRun<I, O>;
  /** Most items per run. */
  maxBatchSize: number;
  /** How long the oldest waiting item may wait for its batch to fill before it runs anyway. */
  maxQueueDelayMs: number;
  /** Waiting items (not counting running ones) beyond which `submit` rejects with `QueueFullError`. */
  maxQueueLength: number;
  /** Batches running at once; 1 (the default) suits one engine on one device. */
  concurrency?: number;
  /**
   * Longest over shortest duration allowed in one batch (durations under 1 s count as 1 s).
   * Engines that pad a batch to its longest item waste less when durations are alike.
   * Default 2; `Infinity` fills batches with the nearest durations whatever they are.
   */
  maxDurationRatio?: number;
  /**
   * When a whole run of several items throws, whether to run each of its items alone once, so one
   * poison item cannot fail its neighbours. Default: always. Return false for errors where a
   * retry is pointless or slow (e.g. the engine is unavailable or timed out).
   */
  retryAlone?: (error: unknown) => boolean;
  /** Called after every run (including the single-item retries), e.g. to feed metrics. */
  onBatch?: (event: BatchEvent) => void;
  /** Monotonic clock in ms; defaults to `performance.now`. */
  now?: () => number;
  /** Runs remembered for `stats()` (p50 compute time, throughput). Default 64. */
  statsWindow?: number;
}

export interface SubmitOptions {
  /** Length of the item's audio; batches group items of similar duration. */
  durationSeconds: number;
  /** Aborting removes the item while it waits (rejecting with `signal.reason`); a running item finishes. */
  signal?: AbortSignal | undefined;
}

/** An output with the timings the public result reports. */
export interface BatchedOutput<O> {
  value: O;
  /** From `submit` until the run that produced `value` started. */
  queueMs: number;
  /** Duration of that run. */
  computeMs: number;
  /** Items in that run. */
  batchSize: number;
}

export interface BatchEvent {
  size: number;
  computeMs: number;
  /** Per item: from `submit` until this run started. */
  queueWaitMs: number[];
  /** False when the run threw (or returned the wrong number of outputs). */
  ok: boolean;
  /** True for a single-item retry after its batch threw. */
  retry: boolean;
}

export interface BatcherStats {
  /** Items waiting for a batch. */
  queueDepth: number;
  /** `maxQueueLength`. */
  capacity: number;
  /** Items in running batches. */
  inFlight: number;
  /** Batches running. */
  runningBatches: number;
  /** Median duration of recent successful runs; null before the first. */
  computeP50Ms: number | null;
  /** Items completed per second while busy, over recent runs; null before the first. */
  throughputPerSecond: number | null;
}

interface Waiting<I, O> {
  item: I;
  /** max(duration, 1 s): what similarity is measured on. */
  weight: number;
  seq: number;
  enqueuedAt: number;
  resolve: (output: BatchedOutput<O>) => void;
  reject: (error: unknown) => void;
  detach?: () => void;
}

interface RunOutcome<O> {
  outputs: Array<O | ItemFailure>;
  startedAt: number;
  computeMs: number;
}

interface RunRecord {
  items: number;
  computeMs: number;
  busyStart: number;
  busyEnd: number;
}

/** Durations below this are alike for grouping: a batch of short clips costs little anyway. */
const DURATION_FLOOR_SECONDS = 1;
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * Collects single alignment jobs into batches for an engine (DESIGN §2 step 6).
 *
 * - A run starts when a batch is full, or when the oldest waiting item has waited
 *   `maxQueueDelayMs`; at most `concurrency` runs at a time.
 * - The oldest waiting item always anchors the next batch, which it shares with the waiting items
 *   closest to it in duration (within `maxDurationRatio`). So batches hold similar durations, and
 *   nothing starves: an item's wait is bounded by the runs ahead of it, never by newer arrivals.
 * - Past `maxQueueLength` waiting items, `submit` rejects at once with `QueueFullError`, whose
 *   retry-after is the backlog divided by recent throughput.
 * - Poison isolation: if a run of several items throws, each of its items is run alone once, so
 *   one bad item fails only itself (unless `retryAlone` says the error is not worth it).
 * - `drain()` runs everything still waiting, `close()` rejects it with `BatcherClosedError`; both
 *   resolve once running batches have finished.
 *
 * @example
 * const batcher = new DynamicBatcher<AlignmentItem, UnitTiming[]>({
 *   run: (items) => engine.alignBatch(items),
 *   maxBatchSize: 8,
 *   maxQueueDelayMs: 10,
 *   maxQueueLength: 256,
 * });
 * const timings = await batcher.submit(item, { durationSeconds: 12.5, signal: request.signal });
 * const { value, queueMs, computeMs } = await batcher.submitTimed(item, { durationSeconds: 12.5 });
 * await batcher.drain(); // on SIGTERM
 */
export class DynamicBatcher<I, O> {
  private readonly run: BatchRun<I, O>;
  private readonly maxBatchSize: number;
  private readonly maxQueueDelayMs: number;
  private readonly maxQueueLength: number;
  private readonly concurrency: number;
  private readonly maxDurationRatio: number;
  private readonly retryAlone: (error: unknown) => boolean;
  private readonly onBatch: ((event: BatchEvent) => void) | undefined;
  private readonly now: () => number;
  private readonly statsWindow: number;

  private readonly queue = new DurationQueue<Waiting<I, O>>();
  private seq = 0;
  private runningBatches = 0;
  private inFlightItems = 0;
  private state: 'open' | 'draining' | 'closed' = 'open';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private pumpQueued = false;
  private idleWaiters: Array<() => void> = [];
  private records: RunRecord[] = [];
  /** Busy time (at least one run going) accumulated, and when the current busy spell began. */
  private busyAccumMs = 0;
  private busySince = 0;

  constructor(options: DynamicBatcherOptions<I, O>) {
    this.run = options.run;
    this.maxBatchSize = positiveInt(options.maxBatchSize, 'maxBatchSize');
    this.maxQueueLength = positiveInt(options.maxQueueLength, 'maxQueueLength');
    this.concurrency = positiveInt(options.concurrency ?? 1, 'concurrency');
    this.statsWindow = positiveInt(options.statsWindow ?? 64, 'statsWindow');
    if (!(options.maxQueueDelayMs >= 0)) throw new RangeError('maxQueueDelayMs must be >= 0');
    this.maxQueueDelayMs = options.maxQueueDelayMs;
    const ratio = options.maxDurationRatio ?? 2;
    if (!(ratio >= 1)) throw new RangeError('maxDurationRatio must be >= 1');
    this.maxDurationRatio = ratio;
    this.retryAlone = options.retryAlone ?? (() => true);
    this.onBatch = options.onBatch;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Queues one item and resolves with its output.
   * Rejects with `QueueFullError` (queue full), `BatcherClosedError` (shutting down),
   * `signal.reason` (aborted while waiting), or the item's own error.
   */
  async submit(item: I, options: SubmitOptions): Promise<O> {
    return (await this.submitTimed(item, options)).value;
  }

  /** Like `submit`, with the queue wait, run duration and batch size the output came from. */
  submitTimed(item: I, options: SubmitOptions): Promise<BatchedOutput<O>> {
    const { durationSeconds, signal } = options;
    if (!(durationSeconds >= 0) || !Number.isFinite(durationSeconds)) {
      return Promise.reject(new RangeError(`durationSeconds must be finite and >= 0`));
    }
    if (this.state !== 'open') return Promise.reject(new BatcherClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.size >= this.maxQueueLength) {
      return Promise.reject(new QueueFullError(this.queue.size, this.retryAfterSeconds()));
    }
    return new Promise<BatchedOutput<O>>((resolve, reject) => {
      const waiting: Waiting<I, O> = {
        item,
        weight: Math.max(durationSeconds, DURATION_FLOOR_SECONDS),
        seq: this.seq++,
        enqueuedAt: this.now(),
        resolve,
        reject,
      };
      if (signal) {
        const onAbort = () => this.abandon(waiting, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(waiting);
      this.schedulePump();
    });
  }

  /** Current load, for beacons and gauges. */
  stats(): BatcherStats {
    return {
      queueDepth: this.queue.size,
      capacity: this.maxQueueLength,
      inFlight: this.inFlightItems,
      runningBatches: this.runningBatches,
      computeP50Ms: median(this.records.map((r) => r.computeMs)),
      throughputPerSecond: this.throughput(),
    };
  }

  /**
   * Seconds the current backlog (waiting and running items) needs at recent throughput,
   * rounded up, at least 1 (and 1 before any run has finished, when nothing is known).
   */
  retryAfterSeconds(): number {
    const rate = this.throughput();
    if (rate === null || rate <= 0) return 1;
    const backlog = this.queue.size + this.inFlightItems;
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(backlog / rate)));
  }

  /** Stops accepting items, runs all waiting ones without further delay, resolves when idle. */
  drain(): Promise<void> {
    if (this.state === 'open') this.state = 'draining';
    this.pump();
    return this.whenIdle();
  }

  /** Stops accepting items, rejects waiting ones with `BatcherClosedError`, resolves when running batches end. */
  close(): Promise<void> {
    this.state = 'closed';
    this.clearTimer();
    for (const w of this.queue.clear()) {
      w.detach?.();
      w.reject(new BatcherClosedError());
    }
    return this.whenIdle();
  }

  private abandon(waiting: Waiting<I, O>, reason: unknown): void {
    // Not found: already running, so it finishes and settles normally.
    if (!this.queue.remove(waiting)) return;
    waiting.reject(reason);
    this.notifyIfIdle();
  }

  /** Submissions in the same tick share one pump, so they can share a batch even at 0 ms delay. */
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.runningBatches < this.concurrency && this.queue.size > 0) {
      const oldest = this.queue.oldest()!;
      const due = this.state !== 'open' || this.now() - oldest.enqueuedAt >= this.maxQueueDelayMs;
      if (!due && this.queue.size < this.maxBatchSize) break;
      const batch = this.queue.pick(this.maxBatchSize, this.maxDurationRatio);
      if (!due && batch.length < this.maxBatchSize) break;
      this.queue.take(batch);
      this.start(batch);
    }
    const oldest = this.queue.oldest();
    if (this.runningBatches < this.concurrency && oldest) {
      this.armTimer(oldest.enqueuedAt + this.maxQueueDelayMs);
    } else {
      this.clearTimer();
    }
  }

  private start(batch: Waiting<I, O>[]): void {
    if (this.runningBatches === 0) this.busySince = this.now();
    this.runningBatches += 1;
    this.inFlightItems += batch.length;
    for (const w of batch) w.detach?.();
    void this.execute(batch).finally(() => {
      this.runningBatches -= 1;
      this.inFlightItems -= batch.length;
      if (this.runningBatches === 0) this.busyAccumMs += this.now() - this.busySince;
      this.pump();
      this.notifyIfIdle();
    });
  }

  private async execute(batch: Waiting<I, O>[]): Promise<void> {
    let ran: RunOutcome<O>;
    try {
      ran = await this.runOnce(batch, false);
    } catch (error) {
      if (batch.length > 1 && this.retryAlone(error)) {
        for (const w of batch) await this.runAlone(w);
      } else {
        for (const w of batch) w.reject(error);
      }
      return;
    }
    batch.forEach((w, i) => {
      settle(w, ran.outputs[i], {
        queueMs: ran.startedAt - w.enqueuedAt,
        computeMs: ran.computeMs,
        batchSize: batch.length,
      });
    });
  }

  private async runAlone(w: Waiting<I, O>): Promise<void> {
    try {
      const ran = await this.runOnce([w], true);
      settle(w, ran.outputs[0], {
        queueMs: ran.startedAt - w.enqueuedAt,
        computeMs: ran.computeMs,
        batchSize: 1,
      });
    } catch (error) {
      w.reject(error);
    }
  }

  /** One call of `run`, timed and recorded; throws if it throws or miscounts its outputs. */
  private async runOnce(batch: Waiting<I, O>[], retry: boolean): Promise<RunOutcome<O>> {
    const startedAt = this.now();
    const busyStart = this.busyClock(startedAt);
    let ok = false;
    try {
      const outputs = await this.run(batch.map((w) => w.item));
      if (!Array.isArray(outputs) || outputs.length !== batch.length) {
        throw new Error(
          `batch run returned ${Array.isArray(outputs) ? outputs.length : typeof outputs} outputs for ${batch.length} items`,
        );
      }
      ok = true;
      const endedAt = this.now();
      const computeMs = endedAt - startedAt;
      this.record({
        items: batch.length,
        computeMs,
        busyStart,
        busyEnd: this.busyClock(endedAt),
      });
      return { outputs, startedAt, computeMs };
    } finally {
      if (this.onBatch) {
        const computeMs = this.now() - startedAt;
        try {
          this.onBatch({
            size: batch.length,
            computeMs,
            queueWaitMs: batch.map((w) => startedAt - w.enqueuedAt),
            ok,
            retry,
          });
        } catch {
          // An observer (metrics) must not break the items' settlement.
        }
      }
    }
  }

  private record(r: RunRecord): void {
    this.records.push(r);
    if (this.records.length > this.statsWindow) this.records.shift();
  }

  /** Busy milliseconds since construction, as of `at` (while a run is going). */
  private busyClock(at: number): number {
    return this.busyAccumMs + (this.runningBatches > 0 ? at - this.busySince : 0);
  }

  private throughput(): number | null {
    const first = this.records[0];
    const last = this.records[this.records.length - 1];
    if (!first || !last) return null;
    let items = 0;
    for (const r of this.records) items += r.items;
    const busyMs = last.busyEnd - first.busyStart;
    // Instant runs (a busy span of 0 ms) give no rate worth dividing by.
    return busyMs > 0 ? (items * 1000) / busyMs : null;
  }

  private armTimer(due: number): void {
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, due - this.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private whenIdle(): Promise<void> {
    if (this.queue.size === 0 && this.runningBatches === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIfIdle(): void {
    if (this.queue.size > 0 || this.runningBatches > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function settle<I, O>(
  w: Waiting<I, O>,
  output: O | ItemFailure | undefined,
  timing: Omit<BatchedOutput<O>, 'value'>,
): void {
  if (output instanceof ItemFailure) w.reject(output.error);
  else w.resolve({ value: output as O, ...timing });
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer >= 1`);
  return value;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
