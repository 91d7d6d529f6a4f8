import type { WaitUntil } from './wait-until.ts';

/** Past this many reads in flight, those past their bound are dropped. */
export const SWEEP_ABOVE = 1024;

/** A request stopped waiting for a read another request started. */
export class SharedReadTimeout extends Error {
  constructor(ms: number) {
    super(`a shared read did not settle within ${ms} ms`);
    this.name = 'SharedReadTimeout';
  }
}

/**
 * One read in flight per key, shared by the requests of an isolate that ask for the same key
 * meanwhile (a cold isolate's burst costs Redis one read, not one per request).
 *
 * In Workers, I/O belongs to the request that started it. Other projects report that when
 * that request is cancelled (its client went away), a promise other requests await can stay
 * unsettled; a shared read would then hold every request that asks for the key. Not reproduced
 * here (docs/benchmarks.md), so this is a guard:
 * - the read is handed to the starting request's `waitUntil`, which keeps it running after a
 *   cancellation;
 * - every request waits with its own timer, `boundMs` from the read's start at most, and gets
 *   a SharedReadTimeout after it;
 * - a read older than `boundMs` is forgotten: the next request starts a new one.
 *
 * @example
 * const flights = new SingleFlight<string, Row | null>(1_200);
 * const row = await flights.run(id, () => redis.get<Row>(id), waitUntil);
 */
export class SingleFlight<K, V> {
  readonly #boundMs: number;
  readonly #now: () => number;
  readonly #inflight = new Map<K, { promise: Promise<V>; startedAt: number }>();

  constructor(boundMs: number, now: () => number = Date.now) {
    this.#boundMs = Math.max(1, boundMs);
    this.#now = now;
  }

  /** The read's value, waited for at most until `boundMs` after the read started. */
  run(key: K, read: () => Promise<V>, waitUntil?: WaitUntil): Promise<V> {
    const flight = this.#flight(key, read, waitUntil);
    return within(flight.promise, flight.startedAt + this.#boundMs - this.#now());
  }

  /** Starts the read unless one is in flight; nothing waits for it. */
  start(key: K, read: () => Promise<V>, waitUntil?: WaitUntil): void {
    this.#flight(key, read, waitUntil);
  }

  #flight(key: K, read: () => Promise<V>, waitUntil?: WaitUntil) {
    const now = this.#now();
    let flight = this.#inflight.get(key);
    if (!flight || now - flight.startedAt >= this.#boundMs) {
      const promise: Promise<V> = read().finally(() => {
        if (this.#inflight.get(key)?.promise === promise) this.#inflight.delete(key);
      });
      promise.catch(() => {});
      flight = { promise, startedAt: now };
      this.#inflight.set(key, flight);
      if (this.#inflight.size > SWEEP_ABOVE) this.#forgetStuck(now);
      waitUntil?.(promise.catch(() => {}));
    }
    return flight;
  }

  /** Drops reads past their bound that no request asked for again (they may never settle). */
  #forgetStuck(now: number): void {
    for (const [key, flight] of this.#inflight) {
      if (now - flight.startedAt >= this.#boundMs) this.#inflight.delete(key);
    }
  }

  /** Reads in flight (for tests). */
  get size(): number {
    return this.#inflight.size;
  }
}

/** `promise`, or a SharedReadTimeout after `ms` from this request's own timer. */
function within<V>(promise: Promise<V>, ms: number): Promise<V> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SharedReadTimeout(ms)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
