import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { EngineInfo, UnitTiming } from '../../shared/alignment.ts';
import { ProblemError } from '../../shared/problem.ts';
import type { BackendConfig } from '../config.ts';
import { type AlignmentEngine, type AlignmentItem, EngineInputError } from './engine.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface EngineBreakerSettings {
  /** A batch running longer than this fails with `EngineTimeoutError` and counts as a failure. */
  timeoutMs: number;
  /** Failure percentage in the rolling window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** How long the breaker stays open before letting one trial batch through (half-open). */
  resetTimeoutMs: number;
  /** Batches in the rolling window before the breaker may open at all. */
  volumeThreshold: number;
  /** Length of the rolling window. Default 60 s: alignment batches take seconds, not ms. */
  rollingWindowMs?: number;
}

export interface EngineBreakerOptions extends EngineBreakerSettings {
  /** Answers while the breaker is open (e.g. the weights-free `dtw` engine behind `qwen3`). */
  fallback?: AlignmentEngine | undefined;
}

/** What a guarded batch returns: the timings, and the engine that actually produced them. */
export interface GuardedAlignment {
  engine: EngineInfo;
  timings: UnitTiming[][];
}

/** Breaker settings from the backend config (FA_BREAKER_* variables). */
export function breakerSettingsFromConfig(
  config: Pick<
    BackendConfig,
    'breakerTimeoutMs' | 'breakerErrorPercent' | 'breakerResetMs' | 'breakerVolumeThreshold'
  >,
): EngineBreakerSettings {
  return {
    timeoutMs: config.breakerTimeoutMs,
    errorThresholdPercentage: config.breakerErrorPercent,
    resetTimeoutMs: config.breakerResetMs,
    volumeThreshold: config.breakerVolumeThreshold,
  };
}

/**
 * The breaker is open and no fallback engine is configured: answered as 503 with
 * `Retry-After` = the time until the breaker lets a trial batch through.
 */
export class EngineUnavailableError extends ProblemError {
  override name = 'EngineUnavailableError';
  readonly retryAfterSeconds: number;

  constructor(engine: string, retryAfterSeconds: number, cause?: unknown) {
    super(
      'engineUnavailable',
      `engine '${engine}' is failing and has been taken out of service; retry in about ${retryAfterSeconds} s`,
      { extra: { retry_after: retryAfterSeconds, engine }, cause },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A batch ran longer than the breaker's timeout (answered as 504); its signal is aborted. */
export class EngineTimeoutError extends ProblemError {
  override name = 'EngineTimeoutError';

  constructor(engine: string, timeoutMs: number) {
    super('timeout', `engine '${engine}' did not answer within ${timeoutMs} ms`, {
      extra: { engine },
    });
  }
}

/** Per call: aborting `controller` tells the engine to stop (timeout or caller gone). */
interface CallContext {
  controller: AbortController;
  callerSignal: AbortSignal | undefined;
}

type GuardedAction = (
  items: readonly AlignmentItem[],
  call: CallContext,
) => Promise<UnitTiming[][]>;

/**
 * Runs an engine's `alignBatch` inside an opossum circuit breaker (DESIGN §2 step 6).
 *
 * - Failures and timeouts count; `EngineInputError` (bad input for that engine) and aborts by
 *   the caller's signal do not (opossum's `errorFilter`; opossum counts a filtered error as a
 *   success, so it also ends a half-open trial: the engine did answer).
 * - Open: batches go to the fallback engine if one is configured, and the result names it;
 *   otherwise they fail at once with `EngineUnavailableError` (retry-after = time until half-open).
 * - A failure while closed is rethrown as is (a timeout as `EngineTimeoutError`); the batcher's
 *   single-item retries then find out whether one item or the engine is at fault.
 *
 * @example
 * const breaker = new EngineBreaker(qwen3, { ...breakerSettingsFromConfig(config), fallback: dtw });
 * breaker.onStateChange((state) => metrics.setBreakerState(qwen3.info.name, state));
 * const { engine, timings } = await breaker.alignBatch(items);
 * // engine.name is 'dtw' while qwen3's breaker is open
 */
export class EngineBreaker {
  readonly engine: AlignmentEngine;
  readonly fallback: AlignmentEngine | undefined;
  private readonly breaker: CircuitBreaker<Parameters<GuardedAction>, UnitTiming[][]>;
  private readonly resetTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly listeners = new Set<(state: BreakerState, previous: BreakerState) => void>();
  private current: BreakerState = 'closed';
  private openedAt = 0;

  constructor(engine: AlignmentEngine, options: EngineBreakerOptions) {
    this.engine = engine;
    this.fallback = options.fallback;
    this.resetTimeoutMs = options.resetTimeoutMs;
    this.timeoutMs = options.timeoutMs;
    const action: GuardedAction = (items, call) =>
      engine.alignBatch(
        items,
        call.callerSignal
          ? AbortSignal.any([call.callerSignal, call.controller.signal])
          : call.controller.signal,
      );
    this.breaker = new CircuitBreaker(action, {
      name: engine.info.name,
      timeout: options.timeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs ?? 60_000,
      errorFilter: (error: unknown, _items?: unknown, call?: CallContext) =>
        error instanceof EngineInputError || call?.callerSignal?.aborted === true,
    });
    // opossum passes the call's arguments to 'timeout' listeners; its typings omit them.
    const events: EventEmitter = this.breaker;
    events.on('timeout', (_error: unknown, _latency: unknown, args: Parameters<GuardedAction>) => {
      args[1].controller.abort(new EngineTimeoutError(engine.info.name, options.timeoutMs));
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      this.transition('open');
    });
    this.breaker.on('halfOpen', () => this.transition('half-open'));
    this.breaker.on('close', () => this.transition('closed'));
  }

  get state(): BreakerState {
    return this.current;
  }

  /**
   * Calls `listener` on every state change; returns a function that unsubscribes.
   *
   * @example
   * const stop = breaker.onStateChange((state, previous) => log.warn({ state, previous }, 'engine breaker'));
   */
  onStateChange(listener: (state: BreakerState, previous: BreakerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whole seconds until the open breaker lets a trial batch through (at least 1). */
  retryAfterSeconds(): number {
    if (this.current !== 'open') return 1;
    const remainingMs = this.openedAt + this.resetTimeoutMs - Date.now();
    return Math.max(1, Math.ceil(remainingMs / 1000));
  }

  /**
   * Aligns a batch with the engine, or with the fallback while the breaker is open.
   * Throws `EngineUnavailableError` (open, no fallback), `EngineTimeoutError`,
   * `EngineInputError`, or the engine's own error.
   */
  async alignBatch(
    items: readonly AlignmentItem[],
    signal?: AbortSignal,
  ): Promise<GuardedAlignment> {
    const call: CallContext = { controller: new AbortController(), callerSignal: signal };
    try {
      return { engine: this.engine.info, timings: await this.breaker.fire(items, call) };
    } catch (error) {
      if (!isBreakerError(error)) throw error;
      if (error.code === 'ETIMEDOUT') {
        throw new EngineTimeoutError(this.engine.info.name, this.timeoutMs);
      }
      if (error.code === 'EOPENBREAKER' && this.fallback) {
        return {
          engine: this.fallback.info,
          timings: await this.fallback.alignBatch(items, signal),
        };
      }
      throw new EngineUnavailableError(this.engine.info.name, this.retryAfterSeconds(), error);
    }
  }

  /** Stops the breaker's timers; later calls fail with `EngineUnavailableError`. Engines stay open. */
  shutdown(): void {
    this.breaker.shutdown();
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    for (const listener of this.listeners) listener(next, previous);
  }
}

/** Errors opossum makes itself (open, timed out, shut down), as opposed to the engine's. */
function isBreakerError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && CircuitBreaker.isOurError(error);
}
