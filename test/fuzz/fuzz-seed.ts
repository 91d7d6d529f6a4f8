/**
 * The seed of a fuzz run: `FUZZ_SEED` when set (to replay a failure), else a fresh one. It is
 * printed up front, and fast-check repeats it (with the failing path) in any failure report.
 */
export function fuzzSeed(suite: string): number {
  const fixed = process.env.FUZZ_SEED;
  const seed =
    fixed !== undefined && fixed !== '' ? Number(fixed) | 0 : (Math.random() * 2 ** 31) | 0;
  process.stdout.write(`[fuzz] ${suite}: seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
  return seed;
}
