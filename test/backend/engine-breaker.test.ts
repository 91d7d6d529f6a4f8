import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadBackendConfig } from '../../region-backend/config.ts';
import {
  type AlignmentEngine,
  type AlignmentItem,
  EngineInputError,
} from '../../region-backend/engines/engine.ts';
import {
  type BreakerState,
  breakerSettingsFromConfig,
  EngineBreaker,
  type EngineBreakerSettings,
  EngineTimeoutError,
  EngineUnavailableError,
} from '../../region-backend/engines/engine-breaker.ts';
import type { UnitTiming } from '../../shared/alignment.ts';
import type { ProblemError } from '../../shared/problem.ts';
import { splitTranscript } from '../../shared/transcript.ts';

/**
 * A TEST ENGINE for these unit tests only: spreads units evenly over the audio; throws a fault
 * while `failing`, an EngineInputError for the text 'bad input', and never answers while
 * `hanging` (until its signal aborts).
 */
class FailingTestEngine implements AlignmentEngine {
  readonly maxBatchSize = 8;
  failing = false;
  hanging = false;
  calls = 0;
  lastSignal: AbortSignal | undefined;

  constructor(readonly info = { name: 'failing-test', model: 'test', revision: 'r1' }) {}

  async alignBatch(items: readonly AlignmentItem[], signal?: AbortSignal): Promise<UnitTiming[][]> {
    this.calls += 1;
    this.lastSignal = signal;
    if (this.hanging) {
      return new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason)),
      );
    }
    if (items.some((item) => item.text === 'bad input'))
      throw new EngineInputError('cannot align this text');
    if (this.failing) throw new Error('engine fault');
    return items.map((item) => {
      const step = item.samples.length / 16_000 / item.units.length;
      return item.units.map((_, i) => ({ start: i * step, end: (i + 1) * step, confidence: 0.5 }));
    });
  }

  async close(): Promise<void> {}
}

const settings: EngineBreakerSettings = {
  timeoutMs: 1000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 5000,
  volumeThreshold: 3,
};

const item = (text = 'hello world'): AlignmentItem => ({
  samples: new Float32Array(16_000),
  language: 'English',
  text,
  units: splitTranscript(text, 'English'),
});

const breakers: EngineBreaker[] = [];
function guard(engine: AlignmentEngine, fallback?: AlignmentEngine) {
  const breaker = new EngineBreaker(engine, { ...settings, fallback });
  breakers.push(breaker);
  const states: BreakerState[] = [];
  breaker.onStateChange((state) => states.push(state));
  return { breaker, states };
}

async function failTimes(breaker: EngineBreaker, n: number) {
  for (let i = 0; i < n; i++)
    await expect(breaker.alignBatch([item()])).rejects.toThrow('engine fault');
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const b of breakers.splice(0)) b.shutdown();
  vi.useRealTimers();
});

describe('EngineBreaker', () => {
  it('answers with the engine and names it while closed', async () => {
    const engine = new FailingTestEngine();
    const { breaker } = guard(engine);
    const result = await breaker.alignBatch([item(), item('one two three')]);
    expect(result.engine).toEqual(engine.info);
    expect(result.timings.map((t) => t.length)).toEqual([2, 3]);
    expect(breaker.state).toBe('closed');
  });

  it('opens after failures past the volume threshold, then fails fast with a retry-after', async () => {
    const engine = new FailingTestEngine();
    engine.failing = true;
    const { breaker, states } = guard(engine);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(states).toEqual(['open']);

    const callsBefore = engine.calls;
    const error = await breaker.alignBatch([item()]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect(engine.calls).toBe(callsBefore);
    expect((error as EngineUnavailableError).retryAfterSeconds).toBe(5);
    const response = (error as ProblemError).toResponse();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');

    await vi.advanceTimersByTimeAsync(2000);
    expect(breaker.retryAfterSeconds()).toBe(3);
  });

  it('uses the fallback engine while open, and the result names the fallback', async () => {
    const engine = new FailingTestEngine();
    const fallback = new FailingTestEngine({
      name: 'fallback-test',
      model: 'test',
      revision: 'f1',
    });
    engine.failing = true;
    const { breaker } = guard(engine, fallback);
    // A failure while closed is the engine's own error, not a silent fallback.
    await failTimes(breaker, 3);
    expect(fallback.calls).toBe(0);
    expect(breaker.state).toBe('open');

    const result = await breaker.alignBatch([item()]);
    expect(result.engine).toEqual(fallback.info);
    expect(result.timings).toHaveLength(1);
    expect(fallback.calls).toBe(1);
    expect(engine.calls).toBe(3);
  });

  it('does not count EngineInputError as a failure', async () => {
    const engine = new FailingTestEngine();
    const { breaker, states } = guard(engine);
    for (let i = 0; i < 6; i++) {
      await expect(breaker.alignBatch([item('bad input')])).rejects.toBeInstanceOf(
        EngineInputError,
      );
    }
    expect(breaker.state).toBe('closed');
    expect(states).toEqual([]);
    expect(engine.calls).toBe(6);
  });

  it('recovers through half-open when the trial batch succeeds', async () => {
    const engine = new FailingTestEngine();
    engine.failing = true;
    const { breaker, states } = guard(engine);
    await failTimes(breaker, 3);
    await vi.advanceTimersByTimeAsync(5000);
    expect(breaker.state).toBe('half-open');
    engine.failing = false;
    const result = await breaker.alignBatch([item()]);
    expect(result.engine.name).toBe('failing-test');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again when the half-open trial fails', async () => {
    const engine = new FailingTestEngine();
    engine.failing = true;
    const { breaker, states } = guard(engine);
    await failTimes(breaker, 3);
    await vi.advanceTimersByTimeAsync(5000);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open']);
    expect(breaker.retryAfterSeconds()).toBe(5);
  });

  it('times out a hanging batch, aborts its signal and counts it as a failure', async () => {
    const engine = new FailingTestEngine();
    engine.hanging = true;
    const { breaker } = guard(engine);
    for (let i = 0; i < 3; i++) {
      const pending = breaker.alignBatch([item()]).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1000);
      const error = await pending;
      expect(error).toBeInstanceOf(EngineTimeoutError);
      expect((error as EngineTimeoutError).status).toBe(504);
      expect(engine.lastSignal?.aborted).toBe(true);
    }
    expect(breaker.state).toBe('open');
  });

  it('does not count an abort by the caller as a failure', async () => {
    const engine = new FailingTestEngine();
    engine.hanging = true;
    const { breaker } = guard(engine);
    for (let i = 0; i < 4; i++) {
      const controller = new AbortController();
      const pending = breaker.alignBatch([item()], controller.signal);
      controller.abort(new Error('client gone'));
      await expect(pending).rejects.toThrow('client gone');
    }
    expect(breaker.state).toBe('closed');
  });

  it('reads its settings from the backend config', () => {
    const config = loadBackendConfig({
      FA_BREAKER_TIMEOUT_MS: '2000',
      FA_BREAKER_ERROR_PERCENT: '25',
      FA_BREAKER_RESET_MS: '7000',
      FA_BREAKER_VOLUME_THRESHOLD: '9',
    });
    expect(breakerSettingsFromConfig(config)).toEqual({
      timeoutMs: 2000,
      errorThresholdPercentage: 25,
      resetTimeoutMs: 7000,
      volumeThreshold: 9,
    });
  });
});
