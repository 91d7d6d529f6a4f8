import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/**
 * `npm ci` refuses a lock that lacks an entry for any dependency, optional platform builds
 * included; the npm mirror here 404s some of those, so `npm install` silently drops them
 * (fix: node scripts/complete-lockfile.mjs).
 */
it('package-lock.json has an entry for every dependency npm ci will look for', async () => {
  const lock = JSON.parse(
    await readFile(join(import.meta.dirname, '../../package-lock.json'), 'utf8'),
  );
  const pkgs: Record<string, { optionalDependencies?: Record<string, string> }> = lock.packages;
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(pkgs)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      // Resolution walks up: nested first, then the top level.
      const nested = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
      if (!pkgs[nested] && !pkgs[`node_modules/${name}`])
        missing.push(`${name} (for ${path || 'the root'})`);
    }
  }
  expect(missing).toEqual([]);
});
