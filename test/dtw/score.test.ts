import { describe, expect, it } from 'vitest';
import {
  drift,
  matchWords,
  normaliseWord,
  scoreItem,
  summarise,
} from '../../region-backend/eval/score.ts';

const w = (text: string, start: number, end: number) => ({ text, start, end });

describe('eval scoring', () => {
  it('normalises case, punctuation and apostrophes', () => {
    expect(normaliseWord('“Don’t,')).toBe("don't");
    expect(normaliseWord('Élan.')).toBe('élan');
  });

  it('matches words in order and counts missing ones as unmatched', () => {
    const reference = [w('the', 0, 0.2), w('cat', 0.2, 0.5), w('sat', 0.6, 0.9)];
    const aligned = [w('The', 0.01, 0.21), w('sat', 0.55, 0.95)];
    const s = scoreItem(reference, aligned);
    expect(s.words).toBe(3);
    expect(s.unmatched).toBe(1);
    expect(s.startErrors.map((x) => Math.round(x * 1000))).toEqual([10, -50]);
    expect(s.endErrors.map((x) => Math.round(x * 1000))).toEqual([10, 50]);
  });

  it('pairs a split word with its pieces', () => {
    const pairs = matchWords(
      [w('an', 0, 0.1), w('e-mail', 0.1, 0.6), w('today', 0.7, 1.1)],
      [w('an', 0, 0.1), w('e', 0.12, 0.3), w('mail', 0.3, 0.62), w('today', 0.7, 1.1)],
    );
    expect(pairs).toHaveLength(3);
    expect(pairs[1]).toMatchObject({ words: 1, aligned: { start: 0.12, end: 0.62 } });
  });

  it('summarises MAE, quantiles, shares, bias and RTF', () => {
    const score = {
      words: 2,
      unmatched: 0,
      startErrors: [0.01, -0.03],
      endErrors: [0.06, -0.2],
      times: [0, 1],
    };
    const s = summarise([{ score, audioSeconds: 10, computeSeconds: 0.05 }]);
    expect(s.maeStartMs).toBeCloseTo(20);
    expect(s.maeEndMs).toBeCloseTo(130);
    expect(s.maeMs).toBeCloseTo(75);
    expect(s.medianMs).toBeCloseTo(45);
    expect(s.within20).toBeCloseTo(0.25);
    expect(s.within50).toBeCloseTo(0.5);
    expect(s.within100).toBeCloseTo(0.75);
    expect(s.biasMs).toBeCloseTo(-40);
    expect(s.rtf).toBeCloseTo(0.005);
    expect(s.unmatched).toBe(0);
  });

  it('measures drift as the error over the first versus the last minute', () => {
    const score = {
      words: 3,
      unmatched: 0,
      startErrors: [0.01, 0.5, 0.1],
      endErrors: [0.01, 0.5, 0.1],
      times: [10, 100, 250],
    };
    expect(drift(score, 300)).toEqual({ firstMs: 10, lastMs: 100 });
    expect(drift(score, 90)).toBeNull();
  });
});
