import { describe, expect, it } from 'vitest';
import { DurationQueue } from '../../region-backend/batching/duration-queue.ts';

interface Entry {
  weight: number;
  seq: number;
}

/** The rule `pick` implements, written the slow, obvious way: sort everyone by distance. */
function referencePick(entries: Entry[], max: number, maxRatio: number): Entry[] {
  const [anchor, ...rest] = [...entries].sort((a, b) => a.seq - b.seq);
  if (!anchor) return [];
  // Distance as a ratio (>= 1), computed as `pick` does so exact ties stay exact.
  const byDistance = rest
    .map((e) => ({ e, d: Math.max(anchor.weight / e.weight, e.weight / anchor.weight) }))
    .sort((a, b) => a.d - b.d || a.e.seq - b.e.seq);
  const batch = [anchor];
  let lo = anchor.weight;
  let hi = anchor.weight;
  for (const { e } of byDistance) {
    if (batch.length >= max) break;
    const nlo = Math.min(lo, e.weight);
    const nhi = Math.max(hi, e.weight);
    if (nhi / nlo > maxRatio) continue;
    lo = nlo;
    hi = nhi;
    batch.push(e);
  }
  return batch;
}

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seqs = (entries: Entry[]) => entries.map((e) => e.seq).sort((a, b) => a - b);

describe('DurationQueue', () => {
  it('picks the oldest entry and its nearest neighbours by weight', () => {
    const q = new DurationQueue<Entry>();
    for (const [seq, weight] of [
      [1, 5],
      [2, 60],
      [3, 6],
      [4, 55],
      [5, 3],
    ] as const) {
      q.push({ seq, weight });
    }
    expect(seqs(q.pick(2, 2))).toEqual([1, 3]);
    expect(seqs(q.pick(3, 2))).toEqual([1, 3, 5]);
    expect(seqs(q.pick(8, 2))).toEqual([1, 3, 5]);
    expect(seqs(q.pick(8, Number.POSITIVE_INFINITY))).toEqual([1, 2, 3, 4, 5]);
    q.take(q.pick(3, 2));
    expect(q.size).toBe(2);
    expect(q.oldest()?.seq).toBe(2);
    expect(seqs(q.pick(8, 2))).toEqual([2, 4]);
  });

  it('removes single entries and reports what it no longer holds', () => {
    const q = new DurationQueue<Entry>();
    const a = { seq: 1, weight: 2 };
    const b = { seq: 2, weight: 2 };
    const c = { seq: 3, weight: 2 };
    q.push(a);
    q.push(b);
    q.push(c);
    expect(q.remove(a)).toBe(true);
    expect(q.remove(a)).toBe(false);
    expect(q.oldest()).toBe(b);
    expect(q.pick(8, 1)).toEqual([b, c]);
    expect(q.clear()).toEqual([b, c]);
    expect(q.size).toBe(0);
    expect(q.oldest()).toBeUndefined();
    expect(q.pick(8, 2)).toEqual([]);
  });

  it.each([1, 42, 2026])(
    'agrees with the sort-everything rule over random pushes, removals and batches (seed %i)',
    (seed) => {
      const rand = random(seed);
      const q = new DurationQueue<Entry>();
      let live: Entry[] = [];
      let seq = 0;
      for (let step = 0; step < 4000; step++) {
        const r = rand();
        if (r < 0.55) {
          // Repeated weights on purpose: ties must go to the older entry.
          const e = { seq: seq++, weight: 1 + Math.floor(rand() * 40) / 4 };
          q.push(e);
          live.push(e);
        } else if (r < 0.65 && live.length > 0) {
          const e = live[Math.floor(rand() * live.length)]!;
          expect(q.remove(e)).toBe(true);
          live = live.filter((x) => x !== e);
        } else {
          const max = 1 + Math.floor(rand() * 8);
          const ratio = [1, 1.5, 2, 4, Number.POSITIVE_INFINITY][Math.floor(rand() * 5)]!;
          const batch = q.pick(max, ratio);
          expect(seqs(batch)).toEqual(seqs(referencePick(live, max, ratio)));
          q.take(batch);
          live = live.filter((x) => !batch.includes(x));
        }
        expect(q.size).toBe(live.length);
        expect(q.oldest()).toBe(live[0]);
      }
      expect(q.clear()).toEqual(live);
    },
  );
});
