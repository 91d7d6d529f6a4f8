import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlignmentEngine, EngineInputError } from '../../region-backend/engines/engine.ts';
import { createEngine } from '../../region-backend/engines/registry.ts';
import { scoreItem, summarise } from '../../region-backend/eval/score.ts';
import { SENTENCES } from '../../region-backend/eval/sentences.ts';
import type { UnitTiming } from '../../shared/alignment.ts';
import { LANGUAGE_NAMES, type Language } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { espeakBinaryClip, fliteClip, joinClips, type SpeechClip, withTempDir } from './speech.ts';

let engine: AlignmentEngine;

beforeAll(async () => {
  engine = await createEngine('dtw', { device: 'cpu', threads: 1, maxBatchSize: 4 });
});
afterAll(async () => {
  await engine?.close();
});

async function align(clip: SpeechClip, language: Language = 'English'): Promise<UnitTiming[]> {
  const units = unitsFor(clip.text, language);
  const [timings] = await engine.alignBatch([
    { samples: clip.samples, language, text: clip.text, units },
  ]);
  expect(timings).toHaveLength(units.length);
  return timings!;
}

function accuracy(clip: SpeechClip, timings: readonly UnitTiming[]) {
  const units = unitsFor(clip.text, 'English');
  const cps = Array.from(clip.text);
  const aligned = units.map((u, k) => ({
    text: cps.slice(u.charStart, u.charEnd).join(''),
    start: timings[k]!.start,
    end: timings[k]!.end,
  }));
  return summarise([{ score: scoreItem(clip.words, aligned), audioSeconds: 1, computeSeconds: 0 }]);
}

/** What an aligner that knew only where speech starts and ends would score: words spread evenly. */
function evenSpread(clip: SpeechClip): UnitTiming[] {
  const units = unitsFor(clip.text, 'English');
  const first = clip.words[0]!.start;
  const last = clip.words.at(-1)!.end;
  const step = (last - first) / units.length;
  return units.map((_, k) => ({
    start: first + k * step,
    end: first + (k + 1) * step,
    confidence: 1,
  }));
}

const text = SENTENCES.English.slice(0, 4).join(' ');

describe('dtw engine', () => {
  it('names itself and its revision', () => {
    expect(engine.info).toMatchObject({ name: 'dtw', model: 'espeak-ng+dtw' });
    expect(engine.info.revision).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each(['slt', 'rms', 'kal16'])(
    'aligns flite %s speech to within ~50 ms of the truth',
    async (voice) => {
      await withTempDir(async (dir) => {
        const clip = await fliteClip(dir, voice, text);
        const timings = await align(clip);
        const s = accuracy(clip, timings);
        const baseline = accuracy(clip, evenSpread(clip));
        expect(s.unmatched).toBe(0);
        expect(s.maeMs).toBeLessThan(50);
        expect(s.within100).toBeGreaterThan(0.88);
        // Far better than spreading the words evenly over the speech.
        expect(s.maeMs).toBeLessThan(baseline.maeMs / 2);
      });
    },
  );

  it('keeps words out of long pauses and leading silence', async () => {
    await withTempDir(async (dir) => {
      const parts = await Promise.all(
        SENTENCES.English.slice(4, 7).map((s) => fliteClip(dir, 'awb', s)),
      );
      const clip = joinClips(parts, 2.0, 1.5);
      const timings = await align(clip);
      const s = accuracy(clip, timings);
      expect(s.maeMs).toBeLessThan(50);
      expect(s.within100).toBeGreaterThan(0.88);
      // The first word starts near 1.5 s, not at 0; no word runs through a 2 s pause.
      expect(timings[0]!.start).toBeGreaterThan(1.35);
      for (const t of timings) expect(t.end - t.start).toBeLessThan(1.2);
    });
  });

  it('does not drift over a two-minute clip', async () => {
    await withTempDir(async (dir) => {
      const one = await fliteClip(dir, 'rms', SENTENCES.English.slice(7, 12).join(' '));
      const clip = joinClips(
        Array.from({ length: Math.ceil(120 / (one.samples.length / 16000 + 0.4)) }, () => one),
        0.4,
      );
      const timings = await align(clip);
      const units = unitsFor(clip.text, 'English');
      const cps = Array.from(clip.text);
      const score = scoreItem(
        clip.words,
        units.map((u, k) => ({
          text: cps.slice(u.charStart, u.charEnd).join(''),
          start: timings[k]!.start,
          end: timings[k]!.end,
        })),
      );
      const errs = (from: number, to: number) => {
        const e: number[] = [];
        score.times.forEach((t, k) => {
          if (t >= from && t < to)
            e.push(Math.abs(score.startErrors[k]!), Math.abs(score.endErrors[k]!));
        });
        return e.reduce((a, b) => a + b, 0) / e.length;
      };
      const duration = clip.samples.length / 16000;
      expect(score.unmatched).toBe(0);
      expect(errs(0, 60)).toBeLessThan(0.05);
      expect(errs(duration - 60, duration)).toBeLessThan(0.05);
    });
  });

  it('gives every unit of all 11 languages a monotonic time inside the audio', async () => {
    const voices: Record<Language, string> = {
      English: 'en-gb+m3',
      French: 'fr+f2',
      German: 'de+m4',
      Spanish: 'es+f3',
      Italian: 'it+m2',
      Portuguese: 'pt+f4',
      Russian: 'ru+m5',
      Chinese: 'cmn+f2',
      Cantonese: 'yue+m3',
      Japanese: 'ja+f2',
      Korean: 'ko+m3',
    };
    await withTempDir(async (dir) => {
      for (const language of LANGUAGE_NAMES) {
        const sentence = SENTENCES[language][0]!;
        const samples = await espeakBinaryClip(dir, voices[language], sentence);
        const duration = samples.length / 16000;
        const timings = await align({ samples, text: sentence, words: [] }, language);
        let previousEnd = 0;
        for (const t of timings) {
          expect(t.start, language).toBeGreaterThanOrEqual(previousEnd - 1e-9);
          expect(t.end, language).toBeGreaterThanOrEqual(t.start);
          expect(t.end, language).toBeLessThanOrEqual(duration + 0.01);
          expect(t.confidence).toBeGreaterThanOrEqual(0);
          expect(t.confidence).toBeLessThanOrEqual(1);
          previousEnd = t.end;
        }
        // The words fill the speech rather than bunching at one end.
        expect(timings.at(-1)!.end - timings[0]!.start, language).toBeGreaterThan(0.5 * duration);
      }
    });
  });

  it('runs in a worker thread: the event loop keeps turning during an alignment', async () => {
    await withTempDir(async (dir) => {
      const one = await fliteClip(dir, 'kal16', text);
      const clip = joinClips([one, one, one, one, one, one], 0.3);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = ticks;
      await align(clip);
      clearInterval(timer);
      expect(ticks - started).toBeGreaterThan(3);
    });
  });

  it('refuses audio with no speech instead of inventing times', async () => {
    const silence = new Float32Array(16000 * 2);
    const units = unitsFor('hello world', 'English');
    await expect(
      engine.alignBatch([{ samples: silence, language: 'English', text: 'hello world', units }]),
    ).rejects.toBeInstanceOf(EngineInputError);
  });

  it('answers an empty transcript with no timings', async () => {
    const [timings] = await engine.alignBatch([
      { samples: new Float32Array(16000), language: 'English', text: '...', units: [] },
    ]);
    expect(timings).toEqual([]);
  });

  it('marks units eSpeak fused into one word as interpolated', async () => {
    await withTempDir(async (dir) => {
      // eSpeak-NG speaks Mandarin 你好 as one word event.
      const sentence = '你好，我们今天去北京。';
      const samples = await espeakBinaryClip(dir, 'cmn+f2', sentence);
      const timings = await align({ samples, text: sentence, words: [] }, 'Chinese');
      expect(timings[0]!.status).toBe('interpolated');
      expect(timings[1]!.status).toBe('interpolated');
      expect(timings[1]!.start).toBeGreaterThanOrEqual(timings[0]!.end - 1e-9);
      expect(timings.slice(2).every((t) => t.status === 'aligned')).toBe(true);
    });
  });

  it('gives the first word its own time when eSpeak reports no event for it', async () => {
    await withTempDir(async (dir) => {
      // eSpeak-NG's first word event for this sentence is the second word's (아침에).
      const sentence = '내일 아침에 학교에 갑니다.';
      const samples = await espeakBinaryClip(dir, 'ko', sentence);
      const timings = await align({ samples, text: sentence, words: [] }, 'Korean');
      const onset = samples.findIndex((x) => Math.abs(x) > 0.02) / 16_000;
      // 내일 starts with the speech, not half a second in where 아침 does.
      expect(Math.abs(timings[0]!.start - onset)).toBeLessThan(0.1);
      expect(timings[0]!.end - timings[0]!.start).toBeGreaterThan(0.15);
      expect(timings[1]!.start).toBeGreaterThanOrEqual(timings[0]!.end - 1e-9);
    });
  });
});
