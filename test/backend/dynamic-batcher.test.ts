import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BatchEvent,
  BatcherClosedError,
  DynamicBatcher,
  type DynamicBatcherOptions,
  ItemFailure,
  QueueFullError,
} from '../../region-backend/batching/dynamic-batcher.ts';
import { ProblemError } from '../../shared/problem.ts';

interface Job {
  id: string;
  seconds: number;
}

/**
 * A TEST RUN FUNCTION for these unit tests only: every call waits until the test releases it,
 * then answers each job with `out:<id>`; it throws on a job named 'poison'.
 */
class GatedTestRun {
  readonly calls: Job[][] = [];
  private gates: Array<() => void> = [];

  readonly run = (jobs: Job[]): Promise<Array<string | ItemFailure>> => {
    this.calls.push(jobs);
    return new Promise((resolve, reject) => {
      this.gates.push(() => {
        if (jobs.some((j) => j.id === 'poison')) reject(new Error('poison in batch'));
        else
          resolve(
            jobs.map((j) =>
              j.id === 'bad' ? new ItemFailure(new Error('bad item')) : `out:${j.id}`,
            ),
          );
      });
    });
  };

  /** Lets the oldest pending call finish, then lets the batcher react. */
  async release(): Promise<void> {
    const gate = this.gates.shift();
    if (!gate) throw new Error('no call is waiting');
    gate();
    await settle();
  }

  get pending(): number {
    return this.gates.length;
  }

  ids(): string[][] {
    return this.calls.map((c) => c.map((j) => j.id));
  }
}

/** Runs due fake timers and pending microtasks (the batcher pumps in a microtask). */
const settle = () => vi.advanceTimersByTimeAsync(0);

function batcher(gated: GatedTestRun, options: Partial<DynamicBatcherOptions<Job, string>> = {}) {
  return new DynamicBatcher<Job, string>({
    run: gated.run,
    maxBatchSize: 3,
    maxQueueDelayMs: 1000,
    maxQueueLength: 100,
    ...options,
  });
}

const job = (id: string, seconds = 5): Job => ({ id, seconds });
const submit = (b: DynamicBatcher<Job, string>, j: Job, signal?: AbortSignal) =>
  b.submit(j, { durationSeconds: j.seconds, signal });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DynamicBatcher', () => {
  it('runs a batch as soon as it is full, one batch at a time, in order', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated);
    const results = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => submit(b, job(id)));
    await settle();
    expect(gated.ids()).toEqual([['a', 'b', 'c']]);
    await gated.release();
    expect(gated.ids()).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
    await gated.release();
    // 'g' alone is not a full batch: it waits for the queue delay.
    expect(gated.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(gated.ids()[2]).toEqual(['g']);
    await gated.release();
    expect(await Promise.all(results)).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => `out:${id}`),
    );
  });

  it('runs a partial batch once the oldest item has waited maxQueueDelayMs', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 8, maxQueueDelayMs: 50 });
    const first = submit(b, job('a'));
    await vi.advanceTimersByTimeAsync(30);
    const second = submit(b, job('b'));
    await vi.advanceTimersByTimeAsync(19);
    expect(gated.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(gated.ids()).toEqual([['a', 'b']]);
    await gated.release();
    await expect(first).resolves.toBe('out:a');
    await expect(second).resolves.toBe('out:b');
  });

  it('batches items submitted in the same tick together even with no delay', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 8, maxQueueDelayMs: 0 });
    const all = ['a', 'b', 'c'].map((id) => submit(b, job(id)));
    await settle();
    expect(gated.ids()).toEqual([['a', 'b', 'c']]);
    await gated.release();
    await Promise.all(all);
  });

  it('groups similar durations, anchored on the oldest item', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 2, maxQueueDelayMs: 0 });
    const blocker = submit(b, job('blocker'));
    await settle();
    const rest = [job('s5', 5), job('l60', 60), job('s6', 6), job('l55', 55), job('s3', 3)].map(
      (j) => submit(b, j),
    );
    await settle();
    for (let i = 0; i < 4; i++) await gated.release();
    expect(gated.ids()).toEqual([['blocker'], ['s5', 's6'], ['l60', 'l55'], ['s3']]);
    await Promise.all([blocker, ...rest]);
  });

  it('keeps durations beyond maxDurationRatio out of one batch', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 4, maxQueueDelayMs: 0, maxDurationRatio: 2 });
    const all = [job('short', 2), job('long', 30), job('short2', 3)].map((j) => submit(b, j));
    await settle();
    await gated.release();
    await gated.release();
    expect(gated.ids()).toEqual([['short', 'short2'], ['long']]);
    await Promise.all(all);
  });

  it('mixes any durations when maxDurationRatio is Infinity', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 4, maxQueueDelayMs: 0, maxDurationRatio: Infinity });
    const all = [job('short', 2), job('long', 30), job('short2', 3)].map((j) => submit(b, j));
    await settle();
    await gated.release();
    expect(gated.ids()).toEqual([['short', 'short2', 'long']]);
    await Promise.all(all);
  });

  it('rejects past maxQueueLength with QueueFullError and a retry-after from throughput', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 2, maxQueueDelayMs: 0, maxQueueLength: 2 });
    // Measure throughput: 2 items in 1000 ms of (fake) busy time -> 2 items/s.
    const warm = [submit(b, job('w1')), submit(b, job('w2'))];
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    await gated.release();
    await Promise.all(warm);
    expect(b.stats().throughputPerSecond).toBe(2);

    const running = [submit(b, job('r1')), submit(b, job('r2'))];
    await settle();
    const waiting = [submit(b, job('q1')), submit(b, job('q2'))];
    await settle();
    expect(b.stats()).toMatchObject({ queueDepth: 2, inFlight: 2, capacity: 2 });

    const rejected = submit(b, job('over'));
    await expect(rejected).rejects.toBeInstanceOf(QueueFullError);
    const error = (await rejected.catch((e: unknown) => e)) as QueueFullError;
    // Backlog of 4 items at 2 items/s.
    expect(error.retryAfterSeconds).toBe(2);
    expect(error).toBeInstanceOf(ProblemError);
    const response = error.toResponse('req-1');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({ retry_after: 2, request_id: 'req-1' });

    await gated.release();
    await gated.release();
    await Promise.all([...running, ...waiting]);
  });

  it('removes an aborted waiting item; a running item finishes', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 1, maxQueueDelayMs: 0 });
    const runningAbort = new AbortController();
    const running = submit(b, job('running'), runningAbort.signal);
    await settle();
    const waitingAbort = new AbortController();
    const waiting = submit(b, job('waiting'), waitingAbort.signal);
    const after = submit(b, job('after'));
    await settle();
    waitingAbort.abort(new Error('client went away'));
    runningAbort.abort(new Error('too late'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(b.stats().queueDepth).toBe(1);
    await gated.release();
    await gated.release();
    await expect(running).resolves.toBe('out:running');
    await expect(after).resolves.toBe('out:after');
    expect(gated.ids()).toEqual([['running'], ['after']]);
  });

  it('rejects an already aborted signal at once', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated);
    await expect(submit(b, job('x'), AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(b.stats().queueDepth).toBe(0);
  });

  it('retries each item alone when a batch throws, so one poison item fails only itself', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated);
    const results = ['a', 'poison', 'c'].map((id) =>
      submit(b, job(id)).catch((e: Error) => e.message),
    );
    await settle();
    for (let i = 0; i < 4; i++) await gated.release();
    expect(gated.ids()).toEqual([['a', 'poison', 'c'], ['a'], ['poison'], ['c']]);
    expect(await Promise.all(results)).toEqual(['out:a', 'poison in batch', 'out:c']);
  });

  it('fails every item of a thrown batch when retryAlone declines', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { retryAlone: () => false });
    const results = ['a', 'poison', 'c'].map((id) =>
      submit(b, job(id)).catch((e: Error) => e.message),
    );
    await settle();
    await gated.release();
    expect(gated.calls).toHaveLength(1);
    expect(await Promise.all(results)).toEqual([
      'poison in batch',
      'poison in batch',
      'poison in batch',
    ]);
  });

  it('fails only the item a run marks with ItemFailure', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated);
    const results = ['a', 'bad', 'c'].map((id) =>
      submit(b, job(id)).catch((e: Error) => e.message),
    );
    await settle();
    await gated.release();
    expect(gated.calls).toHaveLength(1);
    expect(await Promise.all(results)).toEqual(['out:a', 'bad item', 'out:c']);
  });

  it('treats a run that returns the wrong number of outputs as a failed batch', async () => {
    const b = new DynamicBatcher<Job, string>({
      run: async () => ['only one'],
      maxBatchSize: 2,
      maxQueueDelayMs: 0,
      maxQueueLength: 10,
      retryAlone: () => false,
    });
    const results = [submit(b, job('a')), submit(b, job('b'))].map((p) =>
      p.catch((e: Error) => e.message),
    );
    expect(await Promise.all(results)).toEqual([
      'batch run returned 1 outputs for 2 items',
      'batch run returned 1 outputs for 2 items',
    ]);
  });

  it('reports queue wait, compute time and batch size per item and per run', async () => {
    const gated = new GatedTestRun();
    const events: BatchEvent[] = [];
    const b = batcher(gated, {
      maxBatchSize: 2,
      maxQueueDelayMs: 100,
      onBatch: (e) => events.push(e),
    });
    const a = b.submitTimed(job('a'), { durationSeconds: 5 });
    await vi.advanceTimersByTimeAsync(40);
    const c = b.submitTimed(job('c'), { durationSeconds: 5 });
    await settle();
    await vi.advanceTimersByTimeAsync(250);
    await gated.release();
    expect(await a).toEqual({ value: 'out:a', queueMs: 40, computeMs: 250, batchSize: 2 });
    expect(await c).toEqual({ value: 'out:c', queueMs: 0, computeMs: 250, batchSize: 2 });
    expect(events).toEqual([
      { size: 2, computeMs: 250, queueWaitMs: [40, 0], ok: true, retry: false },
    ]);
    expect(b.stats().computeP50Ms).toBe(250);
  });

  it('drain() runs what is waiting at once and resolves when idle; then refuses new items', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 2, maxQueueDelayMs: 60_000 });
    const results = ['a', 'b', 'c'].map((id) => submit(b, job(id)));
    await settle();
    expect(gated.ids()).toEqual([['a', 'b']]);
    let drained = false;
    const drain = b.drain().then(() => {
      drained = true;
    });
    await expect(submit(b, job('late'))).rejects.toBeInstanceOf(BatcherClosedError);
    await gated.release();
    expect(gated.ids()[1]).toEqual(['c']);
    expect(drained).toBe(false);
    await gated.release();
    await drain;
    expect(await Promise.all(results)).toEqual(['out:a', 'out:b', 'out:c']);
  });

  it('close() rejects waiting items with BatcherClosedError and waits for the running batch', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 1, maxQueueDelayMs: 0 });
    const running = submit(b, job('running'));
    await settle();
    const waiting = submit(b, job('waiting'));
    await settle();
    let closed = false;
    const close = b.close().then(() => {
      closed = true;
    });
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatcherClosedError);
    expect((error as BatcherClosedError).status).toBe(503);
    await settle();
    expect(closed).toBe(false);
    await gated.release();
    await close;
    await expect(running).resolves.toBe('out:running');
    expect(gated.ids()).toEqual([['running']]);
  });

  it('runs up to `concurrency` batches at once', async () => {
    const gated = new GatedTestRun();
    const b = batcher(gated, { maxBatchSize: 1, maxQueueDelayMs: 0, concurrency: 2 });
    const all = ['a', 'b', 'c'].map((id) => submit(b, job(id)));
    await settle();
    expect(gated.pending).toBe(2);
    expect(b.stats()).toMatchObject({ runningBatches: 2, inFlight: 2, queueDepth: 1 });
    await gated.release();
    expect(gated.pending).toBe(2);
    await gated.release();
    await gated.release();
    await Promise.all(all);
  });

  it('rejects invalid options and durations', async () => {
    const gated = new GatedTestRun();
    expect(() => batcher(gated, { maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => batcher(gated, { maxQueueDelayMs: -1 })).toThrow(RangeError);
    expect(() => batcher(gated, { maxDurationRatio: 0.5 })).toThrow(RangeError);
    await expect(batcher(gated).submit(job('x'), { durationSeconds: Number.NaN })).rejects.toThrow(
      RangeError,
    );
  });
});
