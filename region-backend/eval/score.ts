/** A timed word: the reference's or the aligner's. Seconds. */
export interface TimedWord {
  text: string;
  start: number;
  end: number;
}

/** Reference and aligned words paired up; `words` reference words stand behind the pair. */
export interface WordPair {
  reference: TimedWord;
  aligned: TimedWord;
  words: number;
}

/** Boundary errors of one aligned item against its reference. */
export interface ItemScore {
  /** Reference words. */
  words: number;
  /** Reference words with no aligned counterpart. */
  unmatched: number;
  /** Signed errors (aligned - reference), seconds, of matched words' starts and ends. */
  startErrors: number[];
  endErrors: number[];
  /** Reference start of each matched word: where in the clip the error is (for drift). */
  times: number[];
}

/** Word text as compared: NFC, lower case, letters, marks, digits and apostrophes only. */
export function normaliseWord(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}\p{M}']/gu, '');
}

/**
 * Pairs reference and aligned words by normalised text, in order (longest common
 * subsequence), so a word missing on either side costs only itself. Between two such anchors,
 * a run of reference words and a run of aligned words whose joined texts agree form one pair
 * (splits and fusions: "e-mail" against "e" + "mail"): the first gives the start, the last the end.
 */
export function matchWords(
  reference: readonly TimedWord[],
  aligned: readonly TimedWord[],
): WordPair[] {
  const a = reference.map((w) => normaliseWord(w.text));
  const b = aligned.map((w) => normaliseWord(w.text));
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[at(i, j)] =
        a[i] === b[j] && a[i] !== ''
          ? table[at(i + 1, j + 1)]! + 1
          : Math.max(table[at(i + 1, j)]!, table[at(i, j + 1)]!);
    }
  }
  const pairs: WordPair[] = [];
  let i = 0;
  let j = 0;
  let gapI = 0;
  let gapJ = 0;
  const closeGap = (endI: number, endJ: number) => {
    if (
      endI > gapI &&
      endJ > gapJ &&
      a.slice(gapI, endI).join('') === b.slice(gapJ, endJ).join('')
    ) {
      pairs.push({
        reference: {
          text: a.slice(gapI, endI).join(''),
          start: reference[gapI]!.start,
          end: reference[endI - 1]!.end,
        },
        aligned: {
          text: b.slice(gapJ, endJ).join(''),
          start: aligned[gapJ]!.start,
          end: aligned[endJ - 1]!.end,
        },
        words: endI - gapI,
      });
    }
  };
  while (i < n && j < m) {
    if (a[i] === b[j] && a[i] !== '') {
      closeGap(i, j);
      pairs.push({ reference: reference[i]!, aligned: aligned[j]!, words: 1 });
      i++;
      j++;
      gapI = i;
      gapJ = j;
    } else if (table[at(i + 1, j)]! >= table[at(i, j + 1)]!) i++;
    else j++;
  }
  closeGap(n, m);
  return pairs;
}

/** Scores one item: matches words and collects signed boundary errors. */
export function scoreItem(
  reference: readonly TimedWord[],
  aligned: readonly TimedWord[],
): ItemScore {
  const pairs = matchWords(reference, aligned);
  const matched = pairs.reduce((sum, p) => sum + p.words, 0);
  return {
    words: reference.length,
    unmatched: reference.length - matched,
    startErrors: pairs.map((p) => p.aligned.start - p.reference.start),
    endErrors: pairs.map((p) => p.aligned.end - p.reference.end),
    times: pairs.map((p) => p.reference.start),
  };
}

/** Summary figures of a set of items (milliseconds, shares in 0..1). */
export interface Summary {
  items: number;
  words: number;
  /** Mean absolute error of starts, of ends, and of all boundaries. */
  maeStartMs: number;
  maeEndMs: number;
  maeMs: number;
  medianMs: number;
  p90Ms: number;
  within20: number;
  within50: number;
  within100: number;
  unmatched: number;
  /** Mean signed error of all boundaries (negative: early). */
  biasMs: number;
  /** Compute seconds per audio second. */
  rtf: number;
  audioSeconds: number;
}

export interface ScoredItem {
  score: ItemScore;
  audioSeconds: number;
  computeSeconds: number;
}

const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Aggregates item scores: every boundary (start and end) counts once. */
export function summarise(items: readonly ScoredItem[]): Summary {
  const starts = items.flatMap((i) => i.score.startErrors);
  const ends = items.flatMap((i) => i.score.endErrors);
  const signed = [...starts, ...ends];
  const abs = signed.map(Math.abs).sort((x, y) => x - y);
  const share = (limit: number) =>
    abs.length ? abs.filter((x) => x <= limit + 1e-9).length / abs.length : Number.NaN;
  const words = items.reduce((s, i) => s + i.score.words, 0);
  const audioSeconds = items.reduce((s, i) => s + i.audioSeconds, 0);
  const computeSeconds = items.reduce((s, i) => s + i.computeSeconds, 0);
  return {
    items: items.length,
    words,
    maeStartMs: 1000 * mean(starts.map(Math.abs)),
    maeEndMs: 1000 * mean(ends.map(Math.abs)),
    maeMs: 1000 * mean(abs),
    medianMs: 1000 * quantile(abs, 0.5),
    p90Ms: 1000 * quantile(abs, 0.9),
    within20: share(0.02),
    within50: share(0.05),
    within100: share(0.1),
    unmatched: words ? items.reduce((s, i) => s + i.score.unmatched, 0) / words : Number.NaN,
    biasMs: 1000 * mean(signed),
    rtf: audioSeconds > 0 ? computeSeconds / audioSeconds : Number.NaN,
    audioSeconds,
  };
}

/**
 * Drift on a long clip: mean absolute boundary error (ms) over the first and over the last
 * `windowSeconds` of reference time. Null when the clip is shorter than two windows.
 */
export function drift(
  score: ItemScore,
  audioSeconds: number,
  windowSeconds = 60,
): { firstMs: number; lastMs: number } | null {
  if (audioSeconds < 2 * windowSeconds) return null;
  const first: number[] = [];
  const last: number[] = [];
  score.times.forEach((t, k) => {
    const errs = [Math.abs(score.startErrors[k]!), Math.abs(score.endErrors[k]!)];
    if (t < windowSeconds) first.push(...errs);
    else if (t >= audioSeconds - windowSeconds) last.push(...errs);
  });
  return { firstMs: 1000 * mean(first), lastMs: 1000 * mean(last) };
}
