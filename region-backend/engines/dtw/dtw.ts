/** A sequence of feature frames, row-major `count` x `dims`. */
export interface Frames {
  values: Float32Array;
  count: number;
  dims: number;
}

/** A monotonic warping path from (0, 0) to (a.count - 1, b.count - 1). */
export interface WarpPath {
  /** Row (template frame) of each step. */
  rows: Int32Array;
  /** Column (recording frame) of each step. */
  cols: Int32Array;
  /** Local distance at each step. */
  distances: Float32Array;
  /** Cells evaluated at the finest level: the memory the search needed, linear in length. */
  cells: number;
}

export interface DtwOptions {
  /** Largest matrix (cells) solved in full; bigger problems go coarse-to-fine. */
  fullCells: number;
  /** Frames the search window reaches beyond the projected coarse path, at every level. */
  radius: number;
  /** Frames averaged into one at each coarser level. */
  factor: number;
}

export const DEFAULT_DTW_OPTIONS: DtwOptions = { fullCells: 1_000_000, radius: 40, factor: 4 };

const DIAGONAL = 0;
const UP = 1;
const LEFT = 2;
/**
 * Cost weight of a vertical step (two template frames on one recording frame) against a
 * horizontal one (1) and a diagonal one (2 x the distance). Above 1 it resists squeezing a
 * template word into a few frames of the recording, the commonest gross error (a short word
 * swallowed at a pause, its neighbours shifted by one). Chosen (1-2 tried) on half of each
 * evaluation source; see docs/accuracy.md.
 */
const VERTICAL_WEIGHT = 1.5;

/**
 * Multi-resolution DTW (in the spirit of FastDTW): align coarsened copies, project the coarse
 * path onto the finer grid, widen it by `radius` and solve only inside that window. Memory and
 * time grow linearly with length, so a 5-minute clip costs ~5x a 1-minute one.
 */
export function warp(a: Frames, b: Frames, options: DtwOptions = DEFAULT_DTW_OPTIONS): WarpPath {
  if (a.count === 0 || b.count === 0) throw new Error('cannot warp an empty sequence');
  if (
    a.count * b.count <= options.fullCells ||
    a.count < 2 * options.factor ||
    b.count < 2 * options.factor
  ) {
    const lo = new Int32Array(a.count);
    const hi = new Int32Array(a.count).fill(b.count - 1);
    return solve(a, b, lo, hi);
  }
  const coarse = warp(pool(a, options.factor), pool(b, options.factor), options);
  const { lo, hi } = project(coarse, a.count, b.count, options.factor, options.radius);
  return solve(a, b, lo, hi);
}

/** Averages every `factor` frames into one. */
export function pool(x: Frames, factor: number): Frames {
  const count = Math.ceil(x.count / factor);
  const values = new Float32Array(count * x.dims);
  for (let f = 0; f < count; f++) {
    const first = f * factor;
    const last = Math.min(x.count, first + factor);
    for (let d = 0; d < x.dims; d++) {
      let sum = 0;
      for (let k = first; k < last; k++) sum += x.values[k * x.dims + d]!;
      values[f * x.dims + d] = sum / (last - first);
    }
  }
  return { values, count, dims: x.dims };
}

/** The fine-grid column window [lo[i], hi[i]] of each row around a coarse path. */
function project(coarse: WarpPath, rows: number, cols: number, factor: number, radius: number) {
  const coarseRows = Math.ceil(rows / factor);
  const colLo = new Int32Array(coarseRows).fill(2 ** 30);
  const colHi = new Int32Array(coarseRows).fill(-1);
  for (let s = 0; s < coarse.rows.length; s++) {
    const r = coarse.rows[s]!;
    const c = coarse.cols[s]!;
    if (c < colLo[r]!) colLo[r] = c;
    if (c > colHi[r]!) colHi[r] = c;
  }
  const baseLo = new Int32Array(rows);
  const baseHi = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = Math.min(Math.floor(i / factor), coarseRows - 1);
    baseLo[i] = colLo[r]! * factor;
    baseHi[i] = Math.min(cols - 1, (colHi[r]! + 1) * factor - 1);
  }
  // Both bounds are non-decreasing in i, so the widest window within +-radius rows is
  // [baseLo[i - radius], baseHi[i + radius]].
  const lo = new Int32Array(rows);
  const hi = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    lo[i] = Math.max(0, baseLo[Math.max(0, i - radius)]! - radius);
    hi[i] = Math.min(cols - 1, baseHi[Math.min(rows - 1, i + radius)]! + radius);
  }
  lo[0] = 0;
  hi[rows - 1] = cols - 1;
  return { lo, hi };
}

function distance(a: Frames, i: number, b: Frames, j: number): number {
  const dims = a.dims;
  const ao = i * dims;
  const bo = j * dims;
  let sum = 0;
  for (let d = 0; d < dims; d++) {
    const x = a.values[ao + d]! - b.values[bo + d]!;
    sum += x * x;
  }
  return Math.sqrt(sum);
}

/**
 * DTW restricted to row windows [lo[i], hi[i]] (non-decreasing, overlapping row to row), with
 * the symmetric step pattern (a diagonal step pays its distance twice, so the path has no
 * preference for diagonals), except that a vertical step pays VERTICAL_WEIGHT times its
 * distance. Keeps two rows of costs and one byte of direction per cell.
 */
function solve(a: Frames, b: Frames, lo: Int32Array, hi: Int32Array): WarpPath {
  const rows = a.count;
  const offsets = new Int32Array(rows + 1);
  let maxWidth = 0;
  for (let i = 0; i < rows; i++) {
    const width = hi[i]! - lo[i]! + 1;
    offsets[i + 1] = offsets[i]! + width;
    if (width > maxWidth) maxWidth = width;
  }
  const cells = offsets[rows]!;
  const directions = new Uint8Array(cells);
  let previous = new Float64Array(maxWidth);
  let current = new Float64Array(maxWidth);
  for (let i = 0; i < rows; i++) {
    const rowLo = lo[i]!;
    const rowHi = hi[i]!;
    const prevLo = i > 0 ? lo[i - 1]! : 0;
    const prevHi = i > 0 ? hi[i - 1]! : -1;
    const base = offsets[i]!;
    for (let j = rowLo; j <= rowHi; j++) {
      const d = distance(a, i, b, j);
      let best = Number.POSITIVE_INFINITY;
      let direction = DIAGONAL;
      if (i === 0 && j === 0) {
        best = d;
      } else {
        if (i > 0 && j - 1 >= prevLo && j - 1 <= prevHi) {
          best = previous[j - 1 - prevLo]! + 2 * d;
        }
        if (i > 0 && j >= prevLo && j <= prevHi) {
          const up = previous[j - prevLo]! + VERTICAL_WEIGHT * d;
          if (up < best) {
            best = up;
            direction = UP;
          }
        }
        if (j > rowLo) {
          const left = current[j - 1 - rowLo]! + d;
          if (left < best) {
            best = left;
            direction = LEFT;
          }
        }
      }
      current[j - rowLo] = best;
      directions[base + j - rowLo] = direction;
    }
    const swap = previous;
    previous = current;
    current = swap;
  }
  // Walk back from the last cell.
  const stepsRows: number[] = [];
  const stepsCols: number[] = [];
  let i = rows - 1;
  let j = b.count - 1;
  for (;;) {
    stepsRows.push(i);
    stepsCols.push(j);
    if (i === 0 && j === 0) break;
    const direction = directions[offsets[i]! + j - lo[i]!]!;
    if (direction === DIAGONAL) {
      i--;
      j--;
    } else if (direction === UP) {
      i--;
    } else {
      j--;
    }
    if (i < 0 || j < 0 || j < lo[i]! || j > hi[i]!) {
      throw new Error('DTW window does not connect the two ends');
    }
  }
  const length = stepsRows.length;
  const path: WarpPath = {
    rows: new Int32Array(length),
    cols: new Int32Array(length),
    distances: new Float32Array(length),
    cells,
  };
  for (let s = 0; s < length; s++) {
    const r = stepsRows[length - 1 - s]!;
    const c = stepsCols[length - 1 - s]!;
    path.rows[s] = r;
    path.cols[s] = c;
    path.distances[s] = distance(a, r, b, c);
  }
  return path;
}
