import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configTableMarkdown } from '../../region-backend/config-docs.ts';

const REPO = join(import.meta.dirname, '../..');

it('README documents every backend setting exactly as the config module has it', async () => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const m = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
  expect(m, 'config table markers').toBeTruthy();
  expect(m![1]).toBe(configTableMarkdown());
});

it('README gives the two commands and CI runs the test one', async () => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  expect(readme).toContain('npm ci && npm start');
  expect(readme).toContain('npm ci && npm test');
  const ci = await readFile(join(REPO, '.ci/run'), 'utf8');
  expect(ci).toMatch(/^npm ci$/m);
  expect(ci).toMatch(/^npm test$/m);
});
