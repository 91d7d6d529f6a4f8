import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LANGUAGE_NAMES, type Language } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { decodeAudio } from '../audio/decode.ts';
import {
  addNoise,
  joinWords,
  longestInnerSilence,
  seededRandom,
  trimSilence,
  type WordAudio,
} from './clip-assembly.ts';
import type { DatasetItemFile } from './dataset.ts';
import type { TimedWord } from './score.ts';
import { SENTENCES } from './sentences.ts';
import { espeakBinaryWord } from './sources/espeak-binary.ts';
import { FLITE_VOICES, fliteWords } from './sources/flite.ts';
import { librivoxSentences } from './sources/pocketsphinx.ts';
import {
  KLETTRES_LANGUAGES,
  klettresSyllables,
  QABCS_LANGUAGES,
  qabcsWords,
  type RecordedWord,
} from './sources/recorded-words.ts';
import { writeWav } from './wav.ts';

/** The sources `falign dataset build` knows; see docs/accuracy.md for how exact each one's truth is. */
export const DATASET_SOURCES = [
  'flite',
  'flite-long',
  'espeak',
  'qabcs',
  'klettres',
  'librivox',
] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

export interface BuildOptions {
  sources: readonly DatasetSource[];
  /** Length of the long flite clip (drift), seconds. */
  longSeconds: number;
  log: (line: string) => void;
}

const RATE = 16_000;

/** Builds an evaluation set under `dir` from what is installed on this machine. */
export async function buildDataset(dir: string, options: BuildOptions): Promise<number> {
  const scratch = await mkdtemp(join(tmpdir(), 'falign-dataset-'));
  let written = 0;
  const write = async (
    source: string,
    name: string,
    samples: Float32Array,
    item: DatasetItemFile,
  ) => {
    await mkdir(join(dir, source), { recursive: true });
    await writeFile(join(dir, source, `${name}.wav`), writeWav({ samples, sampleRate: RATE }));
    const json: DatasetItemFile = { ...item, source, words: item.words.map(round) };
    await writeFile(join(dir, source, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
    written++;
  };
  try {
    for (const source of options.sources) {
      options.log(`building ${source}`);
      if (source === 'flite') await buildFlite(scratch, write);
      else if (source === 'flite-long') await buildFliteLong(scratch, write, options.longSeconds);
      else if (source === 'espeak') await buildEspeak(scratch, write);
      else if (source === 'qabcs') await buildRecorded('qabcs', QABCS_LANGUAGES, qabcsWords, write);
      else if (source === 'klettres')
        await buildRecorded('klettres', KLETTRES_LANGUAGES, klettresSyllables, write);
      else if (source === 'librivox') await buildLibrivox(write);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return written;
}

type Write = (
  source: string,
  name: string,
  samples: Float32Array,
  item: DatasetItemFile,
) => Promise<void>;

const round = (w: TimedWord): TimedWord => ({
  text: w.text,
  start: Math.round(w.start * 1e4) / 1e4,
  end: Math.round(w.end * 1e4) / 1e4,
});

async function decodeFile(path: string): Promise<Float32Array> {
  return (
    await decodeAudio(new Uint8Array(await readFile(path)), { maxSeconds: 3600, minSeconds: 0.001 })
  ).samples;
}

/** flite voices, three Harvard sentences per item: natural sentence prosody, exact phone times. */
async function buildFlite(scratch: string, write: Write): Promise<void> {
  const sentences = SENTENCES.English;
  for (const voice of FLITE_VOICES) {
    for (let i = 0; i + 3 <= sentences.length; i += 3) {
      const text = sentences.slice(i, i + 3).join(' ');
      const wav = join(scratch, `flite-${voice}-${i}.wav`);
      const words = await fliteWords(text, voice, wav);
      await write(
        `flite-${voice}`,
        `h${String(i / 3 + 1).padStart(2, '0')}`,
        await decodeFile(wav),
        {
          text,
          language: 'English',
          words,
        },
      );
    }
  }
}

/** One long clip (default 5 minutes) of flite sentences with pauses between: for drift. */
async function buildFliteLong(scratch: string, write: Write, seconds: number): Promise<void> {
  const random = seededRandom(5);
  const clips: Array<{ samples: Float32Array; words: TimedWord[]; text: string }> = [];
  for (const [i, text] of SENTENCES.English.entries()) {
    const wav = join(scratch, `long-${i}.wav`);
    const words = await fliteWords(text, 'kal16', wav);
    clips.push({ samples: await decodeFile(wav), words, text });
  }
  const parts: Float32Array[] = [];
  const words: TimedWord[] = [];
  const texts: string[] = [];
  let at = 0;
  for (let k = 0; at < seconds * RATE; k++) {
    const clip = clips[k % clips.length]!;
    parts.push(clip.samples);
    for (const w of clip.words)
      words.push({ text: w.text, start: w.start + at / RATE, end: w.end + at / RATE });
    texts.push(clip.text);
    at += clip.samples.length;
    const gap = Math.round((0.2 + 0.8 * random()) * RATE);
    parts.push(new Float32Array(gap));
    at += gap;
  }
  const samples = new Float32Array(at);
  let offset = 0;
  for (const p of parts) {
    samples.set(p, offset);
    offset += p.length;
  }
  await write('flite-long', `kal16-${seconds}s`, samples, {
    text: texts.join(' '),
    language: 'English',
    words,
  });
}

/**
 * The espeak-ng binary, words spoken one at a time with varied voice, rate and pitch, joined
 * with known gaps and white noise at 20-30 dB SNR: all 11 languages, exact word edges.
 */
async function buildEspeak(scratch: string, write: Write): Promise<void> {
  const random = seededRandom(11);
  const variants = ['m3', 'f2', 'm5', 'f4'];
  for (const language of LANGUAGE_NAMES) {
    for (const [i, text] of SENTENCES[language].entries()) {
      const style = {
        variant: variants[i % variants.length]!,
        rate: 140 + Math.round(50 * random()),
        pitch: 30 + Math.round(40 * random()),
      };
      const cps = Array.from(text);
      const pieces: WordAudio[] = [];
      for (const [k, unit] of unitsFor(text, language).entries()) {
        const word = cps.slice(unit.charStart, unit.charEnd).join('');
        const wav = join(scratch, `espeak-${k}.wav`);
        await espeakBinaryWord(language, style, word, wav);
        pieces.push({ text: word, samples: trimSilence(await decodeFile(wav)) });
      }
      const gaps = pieces.map((_, k) => (k === 0 ? 0.3 : 0.03 + 0.3 * random()));
      gaps.push(0.3);
      const joined = joinWords(pieces, gaps);
      const samples = addNoise(joined.samples, 20 + 10 * random(), random);
      await write(`espeak-${language.toLowerCase()}`, `s${i + 1}`, samples, {
        text,
        language,
        words: joined.words,
      });
    }
  }
}

/** Longest silence (seconds) a recorded word may contain and still be used. */
const MAX_INNER_SILENCE = 0.25;

/** Recorded human words (qabcs-data) or syllables (klettres-data), eight per item, known gaps. */
async function buildRecorded(
  name: string,
  languages: ReadonlyArray<[string, Language]>,
  list: (code: string) => Promise<RecordedWord[]>,
  write: Write,
): Promise<void> {
  const random = seededRandom(23);
  for (const [code, language] of languages) {
    let words: RecordedWord[];
    try {
      words = await list(code);
    } catch {
      throw new Error(`${name} for '${code}' is not installed (apt-get install ${name}-data)`);
    }
    // A fixed shuffle; recordings with a long silence inside are left out (no honest edges).
    const order = words
      .map((w) => ({ w, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.w);
    const usable: WordAudio[] = [];
    for (const w of order) {
      if (usable.length >= 80) break;
      const samples = trimSilence(await decodeFile(w.path));
      if (longestInnerSilence(samples) <= MAX_INNER_SILENCE) usable.push({ text: w.text, samples });
    }
    for (let i = 0; i + 8 <= usable.length; i += 8) {
      const pieces = usable.slice(i, i + 8);
      const gaps = pieces.map((_, k) => (k === 0 ? 0.4 : 0.1 + 0.4 * random()));
      gaps.push(0.4);
      const joined = joinWords(pieces, gaps);
      await write(`${name}-${language.toLowerCase()}`, `w${i / 8 + 1}`, joined.samples, {
        text: pieces.map((w) => w.text).join(' '),
        language,
        words: joined.words,
      });
    }
  }
}

/** pocketsphinx-testdata's LibriVox sentences: real read speech, transcript only (no word times). */
async function buildLibrivox(write: Write): Promise<void> {
  for (const [i, s] of (await librivoxSentences()).entries()) {
    await write('librivox', `l${i + 1}`, await decodeFile(s.path), {
      text: s.text,
      language: 'English',
      words: [],
    });
  }
}
