/**
 * Monotonic repair of raw timestamps (ms), as the official `fix_timestamp`: keep the longest
 * non-decreasing subsequence (O(n^2) DP, earliest parent on ties, chain ending at the first
 * index of maximal length); rewrite every run of other points: runs of at most 2 copy the
 * nearer chain neighbour (left on ties), longer runs are interpolated linearly between the
 * neighbours (or copy the only one); finally truncate toward zero.
 * Returns the repaired values and which positions were rewritten.
 */
export function fixTimestamps(data: readonly number[]): { values: number[]; repaired: boolean[] } {
  const n = data.length;
  if (n === 0) throw new RangeError('fixTimestamps: empty input');
  const dp = new Array<number>(n).fill(1);
  const parent = new Array<number>(n).fill(-1);
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (data[j]! <= data[i]! && dp[j]! + 1 > dp[i]!) {
        dp[i] = dp[j]! + 1;
        parent[i] = j;
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (dp[i]! > dp[best]!) best = i;
  const normal = new Array<boolean>(n).fill(false);
  for (let i = best; i !== -1; i = parent[i]!) normal[i] = true;

  const result = data.slice();
  let i = 0;
  while (i < n) {
    if (normal[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !normal[j]) j++;
    let left: number | undefined;
    for (let k = i - 1; k >= 0; k--) {
      if (normal[k]) {
        left = result[k]!;
        break;
      }
    }
    let right: number | undefined;
    for (let k = j; k < n; k++) {
      if (normal[k]) {
        right = result[k]!;
        break;
      }
    }
    const count = j - i;
    for (let k = i; k < j; k++) {
      if (left === undefined) result[k] = right!;
      else if (right === undefined) result[k] = left;
      else if (count <= 2) result[k] = k - (i - 1) <= j - k ? left : right;
      else result[k] = left + ((right - left) / (count + 1)) * (k - i + 1);
    }
    i = j;
  }
  return { values: result.map((v) => Math.trunc(v)), repaired: normal.map((x) => !x) };
}
