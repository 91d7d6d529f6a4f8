import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio, freeIdleDecoders } from '../../region-backend/audio/index.ts';
import { ProblemError } from '../../shared/problem.ts';
import {
  type AudioMutation,
  applyMutation,
  audioMutation,
  MAGIC_PREFIXES,
} from './audio-mutations.ts';
import { fuzzSeed } from './fuzz-seed.ts';

/**
 * decodeAudio on random bytes and on valid files mutated (bit flips, truncations, size fields
 * that lie, duplicated/dropped/swapped chunks, overwritten and spliced ranges): every outcome
 * is decoded audio that keeps the contract or a ProblemError with a 4xx status; any other
 * exception, and any case running past its time limit, fails the run with its seed.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures/audio');
const files = readdirSync(FIXTURES)
  .sort()
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) }));
const LIMITS = { minSeconds: 0.1, maxSeconds: 30 };
/** Per case: a decoder stuck in a loop fails here instead of holding the suite. */
const CASE_TIMEOUT_MS = 10_000;
const seed = fuzzSeed('audio decoders');
const outcomes = new Map<string, number>();

afterAll(() => {
  freeIdleDecoders();
  process.stdout.write(
    `[fuzz] audio decoder outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}\n`,
  );
});

/** Decodes and checks the outcome against the contract; returns its name for the tally. */
async function decodeChecked(bytes: Uint8Array): Promise<string> {
  let outcome: string;
  try {
    const audio = await decodeAudio(bytes, LIMITS);
    expect(audio.samples).toBeInstanceOf(Float32Array);
    expect(audio.duration).toBe(audio.samples.length / 16_000);
    expect(audio.duration).toBeGreaterThanOrEqual(LIMITS.minSeconds - 1 / 16_000);
    expect(audio.duration).toBeLessThanOrEqual(LIMITS.maxSeconds + 1 / 16_000);
    for (const s of audio.samples) {
      if (!(s >= -1 && s <= 1)) throw new Error(`sample ${s} outside [-1, 1]`);
    }
    outcome = `decoded:${audio.sourceFormat}`;
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    outcome = err.code;
  }
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  return outcome;
}

describe('fuzz: audio decoders', () => {
  it('random bytes behind every magic number are a value or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MAGIC_PREFIXES),
        fc.uint8Array({ maxLength: 8192 }),
        async (prefix, tail) => {
          const bytes = new Uint8Array(prefix.length + tail.length);
          bytes.set(prefix);
          bytes.set(tail, prefix.length);
          await decodeChecked(bytes);
        },
      ),
      { seed, numRuns: 160, timeout: CASE_TIMEOUT_MS, markInterruptAsFailure: true },
    );
  });

  it('mutated valid files of every format are a value or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files.map((f) => f.name)),
        fc.array(audioMutation, { minLength: 1, maxLength: 3 }),
        async (name, mutations: AudioMutation[]) => {
          let bytes: Uint8Array = files.find((f) => f.name === name)!.bytes;
          for (const m of mutations) bytes = applyMutation(bytes, m);
          await decodeChecked(bytes);
        },
      ),
      { seed: seed + 1, numRuns: 260, timeout: CASE_TIMEOUT_MS, markInterruptAsFailure: true },
    );
    // The mutations reach past the sniffer into the decoders: both outcomes occur.
    expect([...outcomes.keys()].some((k) => k.startsWith('decoded:'))).toBe(true);
    expect(outcomes.get('invalidAudio') ?? 0).toBeGreaterThan(0);
  });
});
