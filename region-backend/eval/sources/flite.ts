import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TimedWord } from '../score.ts';

const run = promisify(execFile);

/** flite's English voices (Debian package flite). */
export const FLITE_VOICES = ['slt', 'awb', 'rms', 'kal16'] as const;

/**
 * Speaks `text` with flite into `wavPath` (16 kHz mono) and returns each word's start and end,
 * from flite's own phone end times (`-psdur`, exact to its 5 ms grid). Words are found by
 * counting each word's phones (flite spoken word by word): the words of `text` must be plain
 * words (no digits or abbreviations, which flite expands into several).
 */
export async function fliteWords(
  text: string,
  voice: string,
  wavPath: string,
): Promise<TimedWord[]> {
  const { stdout } = await run('flite', ['-voice', voice, '-psdur', '-t', text, '-o', wavPath]);
  const phones = stdout
    .trim()
    .split(/\s+/)
    .map((p) => {
      const at = p.lastIndexOf(':');
      return { phone: p.slice(0, at), end: Number(p.slice(at + 1)) };
    });
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  // Each word's phone count: the words spoken as one-word sentences, which flite separates by pauses.
  const { stdout: ps } = await run('flite', [
    '-voice',
    voice,
    '-ps',
    '-t',
    words.map((w) => `${w.replace(/[^\p{L}\p{N}' -]/gu, '')}.`).join(' '),
    'none',
  ]);
  const counts = ps
    .trim()
    .split(/\bpau\b/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk !== '')
    .map((chunk) => chunk.split(/\s+/).length);
  if (counts.length !== words.length)
    throw new Error(`flite split the words of '${text}' differently`);
  const result: TimedWord[] = [];
  let k = 0;
  let previousEnd = 0;
  for (let w = 0; w < words.length; w++) {
    while (k < phones.length && phones[k]!.phone === 'pau') previousEnd = phones[k++]!.end;
    const start = previousEnd;
    for (let p = 0; p < counts[w]!; p++) {
      if (k >= phones.length) throw new Error(`flite phones ran out at '${words[w]}' in: ${text}`);
      if (phones[k]!.phone === 'pau')
        throw new Error(`flite paused inside '${words[w]}' in: ${text}`);
      previousEnd = phones[k++]!.end;
    }
    result.push({ text: words[w]!, start, end: previousEnd });
  }
  if (phones.slice(k).some((p) => p.phone !== 'pau')) {
    throw new Error(`flite spoke more phones than the words of: ${text}`);
  }
  return result;
}
