/**
 * `npm run bench`: every benchmark in turn, each in its own process so one's memory and threads
 * do not skew the next. Each prints its own figures and the machine; see docs/benchmarks.md.
 * The load and chaos runs are separate (`npm run loadtest`, `npm run chaos`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');
const RUNS: Array<[string, string[]]> = [
  ['bench/batcher.ts', []],
  ['bench/audio-decode.ts', []],
  ['bench/backend-service.ts', []],
  ['bench/dtw-engine.ts', []],
  ['bench/qwen3-engine.ts', ['--clips', '10,60', '--batches', '1,4']],
  ['bench/edge-workerd.ts', ['--requests', '1000']],
  ['bench/async-tasks.ts', []],
];

let failed = 0;
for (const [file, args] of RUNS) {
  process.stdout.write(`\n=== ${file} ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.mjs'), join(REPO, file), ...args], {
    cwd: REPO,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
