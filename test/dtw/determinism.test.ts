import { afterAll, describe, expect, it } from 'vitest';
import type { AlignmentEngine } from '../../region-backend/engines/engine.ts';
import { createEngine } from '../../region-backend/engines/registry.ts';
import { SENTENCES } from '../../region-backend/eval/sentences.ts';
import type { UnitTiming } from '../../shared/alignment.ts';
import type { Language } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { espeakBinaryClip, fliteClip, type SpeechClip, withTempDir } from './speech.ts';

const engines: AlignmentEngine[] = [];

/** A dtw engine with one fresh worker thread (its own eSpeak-NG, loaded from scratch). */
async function freshEngine(): Promise<AlignmentEngine> {
  const engine = await createEngine('dtw', { device: 'cpu', threads: 1, maxBatchSize: 1 });
  engines.push(engine);
  return engine;
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function align(
  engine: AlignmentEngine,
  clip: SpeechClip,
  language: Language,
): Promise<UnitTiming[]> {
  const units = unitsFor(clip.text, language);
  const [timings] = await engine.alignBatch([
    { samples: clip.samples, language, text: clip.text, units },
  ]);
  return timings!;
}

describe('dtw engine determinism', () => {
  it('gives identical times for the same clip in fresh workers, whatever ran before', async () => {
    await withTempDir(async (dir) => {
      // A female voice: the template is eSpeak's '+f3' variant, whose breath noise draws
      // random numbers; the pitch flutter of every voice carries over from one synthesis
      // to the next.
      const clip = await fliteClip(dir, 'slt', SENTENCES.English.slice(0, 3).join(' '));
      const germanText = SENTENCES.German.slice(0, 2).join(' ');
      const other = {
        text: germanText,
        samples: await espeakBinaryClip(dir, 'de', germanText),
        words: [],
      };
      const [first, second] = [await freshEngine(), await freshEngine()];
      const a = await align(first, clip, 'English');
      // The second worker speaks other text, other languages and the same text first.
      await align(second, other, 'German');
      await align(second, clip, 'English');
      await align(second, other, 'German');
      const b = await align(second, clip, 'English');
      const again = await align(first, clip, 'English');
      expect(a.length).toBe(unitsFor(clip.text, 'English').length);
      expect(b).toEqual(a);
      expect(again).toEqual(a);
    });
  });
});
