import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeWav } from '../../region-backend/eval/wav.ts';
import { withTempDir } from './speech.ts';

const run = promisify(execFile);

describe('falign eval', () => {
  it('scores saved predictions against a dataset, per language and source', async () => {
    await withTempDir(async (dir) => {
      const data = join(dir, 'set', 'handmade');
      await run('mkdir', ['-p', data]);
      const samples = new Float32Array(16000 * 2);
      await writeFile(join(data, 'a.wav'), writeWav({ samples, sampleRate: 16000 }));
      await writeFile(
        join(data, 'a.json'),
        JSON.stringify({
          text: 'Hello big world',
          language: 'en',
          words: [
            { text: 'Hello', start: 0.1, end: 0.5 },
            { text: 'big', start: 0.6, end: 0.9 },
            { text: 'world', start: 1.0, end: 1.5 },
          ],
        }),
      );
      const predictions = join(dir, 'p.json');
      await writeFile(
        predictions,
        JSON.stringify({
          engine: { name: 'peer', model: 'm', revision: 'r' },
          items: {
            'handmade/a.json': {
              computeSeconds: 0.02,
              words: [
                { text: 'hello', start: 0.12, end: 0.45 },
                { text: 'world', start: 1.0, end: 1.7 },
              ],
            },
          },
        }),
      );
      const { stdout } = await run('node', [
        'bin/falign.mjs',
        'eval',
        join(dir, 'set'),
        '--predictions',
        predictions,
        '--json',
      ]);
      const report = JSON.parse(stdout);
      expect(report.engine.name).toBe('peer');
      expect(report.overall.words).toBe(3);
      expect(report.overall.unmatched).toBeCloseTo(1 / 3);
      // Boundaries: +20, -50, 0, +200 ms.
      expect(report.overall.maeMs).toBeCloseTo(67.5);
      expect(report.overall.within50).toBeCloseTo(0.75);
      expect(report.overall.rtf).toBeCloseTo(0.01);
      expect(Object.keys(report.byLanguage)).toEqual(['English']);
      expect(Object.keys(report.bySource)).toEqual(['handmade']);
    });
  });
});
