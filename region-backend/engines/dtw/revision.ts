import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ESPEAK_PACKAGE, EspeakUnavailableError } from './espeak.ts';

/**
 * Version of the alignment method (features, DTW, template handling, pause rules). Bump it
 * whenever a change can move a timing: it is part of the result-cache key.
 */
export const ALGORITHM_VERSION = 'dtw-15';

/** The installed eSpeak-NG package's version, or a clear error when it is missing. */
export function espeakPackageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve(`${ESPEAK_PACKAGE}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    throw new EspeakUnavailableError(
      `the dtw engine needs the optional package ${ESPEAK_PACKAGE}; install it with npm install`,
    );
  }
}

/** Content revision for the cache key: changes when the algorithm or eSpeak-NG does. */
export function engineRevision(espeakVersion: string): string {
  return createHash('sha256')
    .update(`${ALGORITHM_VERSION}\n${ESPEAK_PACKAGE}@${espeakVersion}`)
    .digest('hex')
    .slice(0, 16);
}
