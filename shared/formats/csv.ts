import type { AlignedWord } from '../alignment.ts';

export const CSV_HEADER = [
  'start',
  'end',
  'text',
  'confidence',
  'char_start',
  'char_end',
  'status',
];

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
const field = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One row per word, CRLF line ends, header first (RFC 4180). */
export function renderCsv(words: readonly AlignedWord[]): string {
  const rows = [CSV_HEADER.join(',')];
  for (const w of words) {
    rows.push(
      [
        w.start.toFixed(3),
        w.end.toFixed(3),
        field(w.text),
        w.confidence.toFixed(3),
        String(w.char_start),
        String(w.char_end),
        w.status,
      ].join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
