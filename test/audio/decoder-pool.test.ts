import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../region-backend/audio/decode.ts';
import { DecoderPool } from '../../region-backend/audio/decoder-pool.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/audio');
const limits = { maxSeconds: 60, minSeconds: 0.1 };
// inlineBelowBytes 0: every decode goes through a worker thread.
const pool = new DecoderPool(limits, { threads: 1, inlineBelowBytes: 0 });
afterAll(() => pool.close());

describe('DecoderPool', () => {
  it('decodes in a worker exactly as in-process', async () => {
    for (const file of ['speech-44k-stereo.flac', 'speech-s16-16k-mono.wav']) {
      const bytes = new Uint8Array(await readFile(join(FIXTURES, file)));
      const [inWorker, inline] = await Promise.all([
        pool.decode(bytes),
        decodeAudio(bytes, limits),
      ]);
      expect(inWorker.samples).toEqual(inline.samples);
      expect(inWorker.sourceFormat).toBe(inline.sourceFormat);
    }
  });

  it('brings ProblemErrors back as ProblemErrors with their status', async () => {
    await expect(pool.decode(new Uint8Array(2000).fill(7))).rejects.toMatchObject({
      name: 'ProblemError',
      status: 415,
    });
  });
});
