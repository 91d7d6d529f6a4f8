/**
 * Runs of consecutive units that all got the very same (start, end): the known failure of
 * the model on long or noisy audio ("collapse"). Returns [first, end) unit ranges.
 */
export function findCollapsedRuns(
  starts: readonly number[],
  ends: readonly number[],
  minRun = 4,
): [number, number][] {
  const runs: [number, number][] = [];
  let i = 0;
  while (i < starts.length) {
    let j = i + 1;
    while (j < starts.length && starts[j] === starts[i] && ends[j] === ends[i]) j++;
    if (j - i >= minRun) runs.push([i, j]);
    i = j;
  }
  return runs;
}
