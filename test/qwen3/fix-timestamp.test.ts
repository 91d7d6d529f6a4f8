import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixTimestamps } from '../../region-backend/engines/qwen3/fix-timestamp.ts';
import { fixtureRoot, readCase, SINGLE_CASES } from './fixture.ts';

const vectors = JSON.parse(readFileSync(join(fixtureRoot, '../fix-timestamp.json'), 'utf8')) as {
  cases: { input: number[]; output: number[]; note?: string }[];
};

describe('fixTimestamps (official fix_timestamp)', () => {
  it('has vectors to check', () => {
    expect(vectors.cases.length).toBeGreaterThan(4);
  });
  for (const [i, v] of vectors.cases.entries()) {
    it(`vector ${i}: ${v.note ?? ''}`, () => {
      expect(fixTimestamps(v.input).values).toEqual(v.output);
    });
  }
  for (const name of SINGLE_CASES) {
    it(`repairs ${name}'s raw times as the reference did`, () => {
      const c = readCase(name);
      const { values, repaired } = fixTimestamps(c.timestamp_ms_raw);
      expect(values).toEqual(c.timestamp_ms_fixed);
      expect(repaired.some(Boolean)).toBe(values.some((v, k) => v !== c.timestamp_ms_raw[k]));
    });
  }
  it('throws on an empty list, as the official code does', () => {
    expect(() => fixTimestamps([])).toThrow(RangeError);
  });
});
