import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_FILES } from '../../region-backend/engines/qwen3/model-files.ts';

/** The repository root (this file is test/qwen3/fixture.ts). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The hand-out fixtures live beside the repository (read-only). */
export const fixtureRoot = path('../shared/fixtures/qwen3-fa-tiny');
export const checkpointDir = join(fixtureRoot, 'checkpoint');

function path(rel: string): string {
  return resolve(repoRoot, rel);
}

export interface FixtureCase {
  name: string;
  text: string;
  language: 'English';
  n_frames: number;
  n_audio_tokens: number;
  units: string[];
  unit_token_ids: number[][];
  prompt_text: string;
  input_ids: number[];
  timestamp_positions: number[];
  classes: number[];
  timestamp_ms_raw: number[];
  timestamp_ms_fixed: number[];
  items: { text: string; start_time: number; end_time: number }[];
}

export const SINGLE_CASES = ['en_3s', 'en_11s'] as const;

export function readCase(name: string): FixtureCase {
  return JSON.parse(
    readFileSync(join(fixtureRoot, 'cases', name, 'case.json'), 'utf8'),
  ) as FixtureCase;
}

/** A raw little-endian float32 fixture tensor. */
export function readTensor(rel: string): Float32Array {
  const b = readFileSync(join(fixtureRoot, rel));
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** 16-bit PCM WAV -> float32 samples (sample / 32768, as the reference converts). */
export function readWav(file: string): Float32Array {
  const b = readFileSync(file);
  let off = 12;
  while (b.toString('ascii', off, off + 4) !== 'data') off += 8 + b.readUInt32LE(off + 4);
  const n = b.readUInt32LE(off + 4) / 2;
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = b.readInt16LE(off + 8 + 2 * i) / 32768;
  return s;
}

export function caseAudio(name: string): Float32Array {
  return readWav(join(fixtureRoot, 'cases', name, 'audio.wav'));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A model directory in `dir` whose files are symlinks to the fixture checkpoint: the engine
 * loads the fixture's own files but builds its graphs inside `dir`, never in the hand-outs.
 */
export function linkedModelDir(dir: string, files?: string[]): string {
  const model = join(dir, 'model');
  mkdirSync(model, { recursive: true });
  const names = files ?? MODEL_FILES.filter((f) => existsSync(join(checkpointDir, f)));
  for (const f of names) symlinkSync(join(checkpointDir, f), join(model, f));
  return model;
}
