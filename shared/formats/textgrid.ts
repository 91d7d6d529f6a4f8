import type { AlignedWord } from '../alignment.ts';

interface Interval {
  xmin: number;
  xmax: number;
  text: string;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const num = (x: number) => String(Math.round(x * 1000) / 1000);

/**
 * The 'words' tier: intervals tiling 0..duration, words where the engine placed them and
 * empty intervals in the gaps. Words without a time span (not found, zero length, or
 * swallowed by an overlapping predecessor) are left out: Praat needs xmin < xmax.
 */
function wordIntervals(words: readonly AlignedWord[], duration: number): Interval[] {
  const intervals: Interval[] = [];
  let cursor = 0;
  for (const w of words) {
    if (w.status === 'not_found') continue;
    const start = Math.max(w.start, cursor);
    const end = Math.min(w.end, duration);
    if (end <= start) continue;
    if (start > cursor) intervals.push({ xmin: cursor, xmax: start, text: '' });
    intervals.push({ xmin: start, xmax: end, text: w.text });
    cursor = end;
  }
  if (cursor < duration || intervals.length === 0)
    intervals.push({ xmin: cursor, xmax: Math.max(duration, cursor), text: '' });
  return intervals;
}

/** Praat TextGrid, long text format, one IntervalTier named 'words'. */
export function renderTextGrid(words: readonly AlignedWord[], duration: number): string {
  const intervals = wordIntervals(words, duration);
  const xmax = num(Math.max(duration, intervals[intervals.length - 1]!.xmax));
  const out = [
    'File type = "ooTextFile"',
    'Object class = "TextGrid"',
    '',
    'xmin = 0 ',
    `xmax = ${xmax} `,
    'tiers? <exists> ',
    'size = 1 ',
    'item []: ',
    '    item [1]:',
    '        class = "IntervalTier" ',
    '        name = "words" ',
    '        xmin = 0 ',
    `        xmax = ${xmax} `,
    `        intervals: size = ${intervals.length} `,
  ];
  intervals.forEach((iv, i) => {
    out.push(
      `        intervals [${i + 1}]:`,
      `            xmin = ${num(iv.xmin)} `,
      `            xmax = ${num(iv.xmax)} `,
      `            text = ${quote(iv.text)} `,
    );
  });
  return `${out.join('\n')}\n`;
}
