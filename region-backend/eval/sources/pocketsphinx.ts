import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';

/**
 * pocketsphinx-testdata's five LibriVox sentences (real read speech, 16 kHz) with their
 * transcripts. They have no word times: the eval runs them as a sanity check only.
 */
export async function librivoxSentences(): Promise<Array<{ path: string; text: string }>> {
  const lines = (await readFile(join(LIBRIVOX, 'transcription'), 'utf8')).split('\n');
  const out: Array<{ path: string; text: string }> = [];
  for (const line of lines) {
    const m = /^<s>\s*(.*?)\s*<\/s>\s*\(([^)]+)\)/.exec(line.trim());
    if (m) out.push({ text: m[1]!, path: join(LIBRIVOX, `${m[2]}.wav`) });
  }
  return out;
}
