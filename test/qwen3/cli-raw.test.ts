import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fixtureRoot,
  linkedModelDir,
  readCase,
  repoRoot,
  SINGLE_CASES,
  tempDir,
} from './fixture.ts';

const run = promisify(execFile);
const tmp = tempDir('falign-qwen3-cli-');
afterAll(tmp.cleanup);

describe('falign align --engine qwen3 --raw', () => {
  // The fixture's own files through symlinks: the real code path, graphs built in the temp dir.
  const modelDir = linkedModelDir(tmp.dir);
  for (const name of SINGLE_CASES) {
    it(`${name}: prints the official items exactly`, async () => {
      const c = readCase(name);
      const textFile = join(tmp.dir, `${name}.txt`);
      writeFileSync(textFile, c.text);
      const { stdout } = await run(
        process.execPath,
        [
          join(repoRoot, 'bin/falign.mjs'),
          'align',
          join(fixtureRoot, 'cases', name, 'audio.wav'),
          '--text-file',
          textFile,
          '--lang',
          c.language,
          '--engine',
          'qwen3',
          '--model-dir',
          modelDir,
          '--raw',
        ],
        { env: { ...process.env, FA_DEVICE: 'cpu', FA_THREADS: '2' }, timeout: 120_000 },
      );
      expect(JSON.parse(stdout)).toEqual(c.items);
    });
  }
  it('without model files, tells the user what to run', async () => {
    const err = await run(
      process.execPath,
      [
        join(repoRoot, 'bin/falign.mjs'),
        'align',
        join(fixtureRoot, 'cases/en_3s/audio.wav'),
        '--text',
        'hi',
        '--lang',
        'en',
        '--engine',
        'qwen3',
        '--model-dir',
        join(tmp.dir, 'none'),
        '--raw',
      ],
      { env: { ...process.env, FA_DEVICE: 'cpu' }, timeout: 60_000 },
    ).catch((e) => e);
    expect(err.code).not.toBe(0);
    expect(err.stderr).toContain('falign model pull');
  });
});
