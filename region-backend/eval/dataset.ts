import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { type Language, parseLanguage } from '../../shared/languages.ts';
import type { TimedWord } from './score.ts';

/** One evaluation item: audio, its transcript and reference word times (seconds). */
export interface DatasetItem {
  /** Path of the JSON file, relative to the dataset directory. */
  id: string;
  audioPath: string;
  text: string;
  language: Language;
  words: TimedWord[];
  /** Where the item comes from (e.g. 'flite-slt', 'qabcs'); groups the report. */
  source: string;
}

/** The JSON file beside each audio file. */
export interface DatasetItemFile {
  text: string;
  language: string;
  words: TimedWord[];
  /** Audio file name relative to the JSON file; default: same name with an audio extension. */
  audio?: string;
  source?: string;
}

/** Thrown for a dataset that cannot be read; the message names the file. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

const AUDIO_EXTENSIONS = ['.wav', '.flac', '.mp3', '.ogg', '.opus'];

/** Reads every `*.json` item under `dir` (recursively), sorted by path. */
export async function loadDataset(dir: string): Promise<DatasetItem[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String);
  } catch (err) {
    throw new DatasetError(`cannot read dataset directory ${dir}: ${(err as Error).message}`);
  }
  const files = new Set(entries);
  const items: DatasetItem[] = [];
  for (const name of entries.filter((e) => e.endsWith('.json')).sort()) {
    const path = join(dir, name);
    let parsed: DatasetItemFile;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as DatasetItemFile;
    } catch (err) {
      throw new DatasetError(`${path}: ${(err as Error).message}`);
    }
    if (typeof parsed.text !== 'string' || !Array.isArray(parsed.words)) {
      throw new DatasetError(`${path}: expected {text, language, words:[{text,start,end}]}`);
    }
    const language = parseLanguage(String(parsed.language ?? ''));
    if (!language) throw new DatasetError(`${path}: unknown language '${parsed.language}'`);
    const stem = join(dirname(name), basename(name, '.json'));
    const audio = parsed.audio
      ? join(dirname(name), parsed.audio)
      : AUDIO_EXTENSIONS.map((e) => stem + e).find((f) => files.has(f));
    if (!audio) throw new DatasetError(`${path}: no audio file beside it`);
    items.push({
      id: relative(dir, path),
      audioPath: join(dir, audio),
      text: parsed.text,
      language,
      words: parsed.words,
      source: parsed.source ?? (dirname(name) === '.' ? 'dataset' : dirname(name)),
    });
  }
  if (items.length === 0) throw new DatasetError(`no items (*.json) in ${dir}`);
  return items;
}
