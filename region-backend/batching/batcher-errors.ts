import { ProblemError } from '../../shared/problem.ts';

/**
 * The waiting queue is at `maxQueueLength`: answered as 503 with `Retry-After`, so the edge
 * tries another region. `retryAfterSeconds` is the time the current backlog needs at the
 * recently measured throughput.
 */
export class QueueFullError extends ProblemError {
  override name = 'QueueFullError';
  readonly retryAfterSeconds: number;

  constructor(queueLength: number, retryAfterSeconds: number) {
    super(
      'overloaded',
      `alignment queue is full (${queueLength} waiting); retry in about ${retryAfterSeconds} s`,
      { extra: { retry_after: retryAfterSeconds } },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The batcher is shutting down (`close()`) and will not run this item: answered as 503 so the
 * caller retries elsewhere.
 */
export class BatcherClosedError extends ProblemError {
  override name = 'BatcherClosedError';
  readonly retryAfterSeconds = 1;

  constructor() {
    super('overloaded', 'this backend is shutting down; retry on another region', {
      extra: { retry_after: 1 },
    });
  }
}

/**
 * Returned by a batch run in place of one item's output when only that item failed; the
 * batch's other items still get their outputs.
 *
 * @example
 * const run = async (items: Clip[]) =>
 *   items.map((clip) => (clip.samples.length === 0 ? new ItemFailure(new Error('empty')) : align(clip)));
 */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}
