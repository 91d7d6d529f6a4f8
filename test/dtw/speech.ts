import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeAudio } from '../../region-backend/audio/decode.ts';
import type { TimedWord } from '../../region-backend/eval/score.ts';
import { fliteWords } from '../../region-backend/eval/sources/flite.ts';

const run = promisify(execFile);

/** Test speech synthesised at test time (flite / espeak-ng from Debian) into a temp dir. */
export interface SpeechClip {
  samples: Float32Array;
  text: string;
  words: TimedWord[];
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'falign-dtw-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const decode = async (path: string) =>
  (await decodeAudio(new Uint8Array(await readFile(path)), { maxSeconds: 3600, minSeconds: 0.01 }))
    .samples;

/** flite speech with exact word times (flite's own phone durations). */
export async function fliteClip(dir: string, voice: string, text: string): Promise<SpeechClip> {
  const path = join(dir, `flite-${voice}-${Math.random().toString(36).slice(2)}.wav`);
  const words = await fliteWords(text, voice, path);
  return { samples: await decode(path), text, words };
}

/** espeak-ng (the Debian binary, not the engine's WASM build) with another voice and rate. */
export async function espeakBinaryClip(
  dir: string,
  voice: string,
  text: string,
): Promise<Float32Array> {
  const path = join(dir, `espeak-${Math.random().toString(36).slice(2)}.wav`);
  await run('espeak-ng', ['-v', voice, '-s', '150', '-w', path, text]);
  return decode(path);
}

/** Joins clips with silences of known length; word times shift accordingly. */
export function joinClips(
  clips: readonly SpeechClip[],
  gapSeconds: number,
  leadSeconds = 0,
): SpeechClip {
  const rate = 16_000;
  const gap = Math.round(gapSeconds * rate);
  const lead = Math.round(leadSeconds * rate);
  const length = lead + clips.reduce((n, c) => n + c.samples.length, 0) + gap * (clips.length - 1);
  const samples = new Float32Array(length);
  const words: TimedWord[] = [];
  let at = lead;
  for (const c of clips) {
    samples.set(c.samples, at);
    for (const w of c.words)
      words.push({ text: w.text, start: w.start + at / rate, end: w.end + at / rate });
    at += c.samples.length + gap;
  }
  return { samples, text: clips.map((c) => c.text).join(' '), words };
}
