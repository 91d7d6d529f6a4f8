import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Language } from '../../../shared/languages.ts';

/**
 * Recorded human words and syllables from Debian packages (one recording per file; the text is
 * known from the file name or the package's index): qabcs-data and klettres-data.
 */
export interface RecordedWord {
  text: string;
  path: string;
}

const QABCS = '/usr/share/qabcs/abcs';
const KLETTRES = '/usr/share/klettres';

export const QABCS_LANGUAGES: ReadonlyArray<[string, Language]> = [
  ['en', 'English'],
  ['de', 'German'],
  ['fr', 'French'],
  ['ru', 'Russian'],
];

export const KLETTRES_LANGUAGES: ReadonlyArray<[string, Language]> = [
  ['it', 'Italian'],
  ['es', 'Spanish'],
  ['pt_BR', 'Portuguese'],
];

/** qabcs-data: words/<word>.ogg; names with '_' (several words) are left out. */
export async function qabcsWords(code: string): Promise<RecordedWord[]> {
  const dir = join(QABCS, code, 'sounds', 'words');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ogg') && !f.includes('_')).sort();
  return files.map((f) => ({ text: basename(f, '.ogg'), path: join(dir, f) }));
}

/** klettres-data: the syllables listed in <code>/sounds.xml. */
export async function klettresSyllables(code: string): Promise<RecordedWord[]> {
  const xml = await readFile(join(KLETTRES, code, 'sounds.xml'), 'utf8');
  const out: RecordedWord[] = [];
  for (const m of xml.matchAll(/<sound\s+name="([^"]+)"\s+file="([^"]+\/syllab\/[^"]+)"/g)) {
    // Lower case: eSpeak reads an upper-case syllable such as 'BA' as letters.
    out.push({ text: m[1]!.toLowerCase(), path: join(KLETTRES, m[2]!) });
  }
  return out;
}
