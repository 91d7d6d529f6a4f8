import { describe, expect, it } from 'vitest';
import { SharedReadTimeout, SingleFlight, SWEEP_ABOVE } from '../../edge/single-flight.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SingleFlight (in workerd)', () => {
  it('shares one read between the requests that ask meanwhile, and forgets it once settled', async () => {
    const flights = new SingleFlight<string, number>(1_000);
    let reads = 0;
    const read = async () => {
      reads++;
      await sleep(20);
      return 42;
    };
    const [a, b] = await Promise.all([flights.run('k', read), flights.run('k', read)]);
    expect([a, b, reads]).toEqual([42, 42, 1]);
    expect(flights.size).toBe(0);
    expect(await flights.run('k', read)).toBe(42);
    expect(reads).toBe(2);
  });

  it('bounds every wait by its own timer when a read never settles, then starts a new read', async () => {
    // A read that never settles stands for one whose starting request was cancelled.
    const flights = new SingleFlight<string, number>(300);
    let reads = 0;
    const never = () => {
      reads++;
      return new Promise<number>(() => {});
    };
    const started = Date.now();
    const first = flights.run('k', never);
    // Expectations are attached as each wait starts, so neither rejection goes unobserved.
    const firstEnds = expect(first).rejects.toBeInstanceOf(SharedReadTimeout);
    await sleep(30);
    // A later waiter gets what is left of the bound, not a bound of its own.
    const second = flights.run('k', never);
    const secondEnds = expect(second).rejects.toBeInstanceOf(SharedReadTimeout);
    await Promise.all([firstEnds, secondEnds]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(5_000);
    expect(reads).toBe(1);
    // Past the bound the stuck read is forgotten.
    const fresh = flights.run('k', async () => {
      reads++;
      return 7;
    });
    expect(await fresh).toBe(7);
    expect(reads).toBe(2);
  });

  it('forgets a failed read at once, and hands a started read to waitUntil', async () => {
    const flights = new SingleFlight<string, number>(1_000);
    await expect(
      flights.run('k', async () => {
        throw new Error('redis down');
      }),
    ).rejects.toThrow('redis down');
    expect(flights.size).toBe(0);
    const kept: Promise<unknown>[] = [];
    const waitUntil = (p: Promise<unknown>) => void kept.push(p);
    flights.start('k', async () => 1, waitUntil);
    flights.start('k', async () => 2, waitUntil);
    expect(kept).toHaveLength(1);
    await Promise.all(kept);
    expect(await flights.run('k', async () => 3)).toBe(3);
  });

  it('drops stuck reads of keys nobody asks for again once there are many', async () => {
    const flights = new SingleFlight<number, number>(20);
    for (let key = 0; key < SWEEP_ABOVE; key++) {
      flights.start(key, () => new Promise<number>(() => {}));
    }
    expect(flights.size).toBe(SWEEP_ABOVE);
    await sleep(40);
    // One more read: the stuck ones, all past their bound, are forgotten.
    flights.start(SWEEP_ABOVE, () => new Promise<number>(() => {}));
    expect(flights.size).toBe(1);
  });
});
