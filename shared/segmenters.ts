import TinySegmenter from 'tiny-segmenter';
import type { Language } from './languages.ts';
import { splitTranscript, type TranscriptUnit } from './transcript.ts';

/**
 * Alignment units for a transcript in any of the 11 languages, with code-point offsets into
 * the text as sent. Pure JavaScript and deterministic, so the backend and the edge (Cloudflare
 * workerd) always cut a transcript the same way.
 *
 * - Japanese: words from TinySegmenter (the official aligner uses nagisa); ideographs stay
 *   inside their word, as in the official Japanese path.
 * - Korean: each whitespace word split into a stem and a trailing particle (조사) when the
 *   stem keeps at least two syllables; the official path uses soynlp's L-tokenizer with a
 *   noun dictionary, which this approximates without the dictionary.
 * - Every other language: `splitTranscript` (whitespace words; CJK ideographs one each).
 */
export function unitsFor(text: string, language: Language): TranscriptUnit[] {
  if (language === 'Japanese') return japaneseUnits(text);
  if (language === 'Korean') return koreanUnits(text);
  return splitTranscript(text, language);
}

const KEPT = /[\p{L}\p{N}']/u;
const MARK = /\p{M}/u;
const SPACE = /\s/u;

/**
 * The official `clean_token` over code points [start, end): keeps letters, numbers, ASCII
 * apostrophes (and combining marks after a kept character); null when nothing is kept.
 */
function cleanSpan(cps: readonly string[], start: number, end: number): TranscriptUnit | null {
  let text = '';
  let first = -1;
  let last = -1;
  for (let j = start; j < end; j++) {
    const ch = cps[j]!;
    if (KEPT.test(ch) || (first >= 0 && MARK.test(ch))) {
      text += ch;
      if (first < 0) first = j;
      last = j;
    }
  }
  return first < 0 ? null : { text: text.normalize('NFC'), charStart: first, charEnd: last + 1 };
}

/** Whitespace-separated pieces as [start, end) code-point ranges. */
function pieces(cps: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < cps.length) {
    while (i < cps.length && SPACE.test(cps[i]!)) i++;
    const start = i;
    while (i < cps.length && !SPACE.test(cps[i]!)) i++;
    if (i > start) out.push([start, i]);
  }
  return out;
}

let tiny: { segment(text: string): string[] } | undefined;

function japaneseUnits(text: string): TranscriptUnit[] {
  tiny ??= new TinySegmenter();
  const cps = Array.from(text);
  const units: TranscriptUnit[] = [];
  for (const [start, end] of pieces(cps)) {
    let at = start;
    for (const word of tiny.segment(cps.slice(start, end).join(''))) {
      const len = Array.from(word).length;
      const unit = cleanSpan(cps, at, at + len);
      if (unit) units.push(unit);
      at += len;
    }
  }
  return units;
}

/** Particles split off a Korean word, longest first. */
const KOREAN_PARTICLES = [
  '에서부터',
  '으로부터',
  '에게서',
  '한테서',
  '께서는',
  '에서는',
  '에서도',
  '으로는',
  '에게는',
  '까지는',
  '부터는',
  '에서',
  '에게',
  '한테',
  '께서',
  '으로',
  '까지',
  '부터',
  '보다',
  '처럼',
  '마다',
  '조차',
  '은',
  '는',
  '을',
  '를',
  '에',
  '의',
  '와',
  '과',
  '도',
  '로',
  '가',
  '이',
];

function koreanUnits(text: string): TranscriptUnit[] {
  const cps = Array.from(text);
  const units: TranscriptUnit[] = [];
  for (const [start, end] of pieces(cps)) {
    // Trailing punctuation stays out of the particle match, as it is cleaned away anyway.
    let coreEnd = end;
    while (coreEnd > start && !KEPT.test(cps[coreEnd - 1]!)) coreEnd--;
    const core = cps.slice(start, coreEnd).join('');
    let cut = -1;
    for (const p of KOREAN_PARTICLES) {
      const stem = Array.from(core).length - Array.from(p).length;
      if (
        stem >= 2 &&
        core.endsWith(p) &&
        /\p{Script=Hangul}$/u.test(cps.slice(start, start + stem).join(''))
      ) {
        cut = start + stem;
        break;
      }
    }
    const spans: [number, number][] =
      cut < 0
        ? [[start, end]]
        : [
            [start, cut],
            [cut, end],
          ];
    for (const [s, e] of spans) {
      const unit = cleanSpan(cps, s, e);
      if (unit) units.push(unit);
    }
  }
  return units;
}
