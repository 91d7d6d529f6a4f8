import type { Language } from './languages.ts';

/**
 * One alignment unit of a transcript: a word, or for Chinese/Cantonese/Japanese ideographs a
 * single character. Offsets are code-point offsets into the transcript exactly as the client
 * sent it, end exclusive, spanning from the unit's first kept character to its last.
 */
export interface TranscriptUnit {
  /** The unit as the model sees it: only letters, numbers and ASCII apostrophes. */
  text: string;
  charStart: number;
  charEnd: number;
}

/** CJK ideograph ranges that the official splitter treats as one unit per character. */
const CJK_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
  [0x20000, 0x2a6df],
  [0x2a700, 0x2b73f],
  [0x2b740, 0x2b81f],
  [0x2b820, 0x2ceaf],
  [0x2f800, 0x2fa1f],
];

export function isCjkIdeograph(cp: number): boolean {
  for (const [lo, hi] of CJK_RANGES) if (cp >= lo && cp <= hi) return true;
  return false;
}

const KEPT = /[\p{L}\p{N}']/u;
const MARK = /\p{M}/u;
const SPACE = /\s/u;

/**
 * Splits a transcript into alignment units, keeping the offsets of each unit in the original.
 *
 * Rule (the official aligner's): keep characters of Unicode category L* or N* and the ASCII
 * apostrophe; split on whitespace; within a piece every CJK ideograph is its own unit and runs
 * of other kept characters form one unit (characters dropped inside a run, e.g. the hyphen of
 * "e-mail", do not split it). Combining marks stay with their run and unit text is NFC, so
 * NFD and NFC spellings of one transcript give the same units (the official code would drop
 * NFD marks; it never sees them in practice because clients send NFC).
 *
 * `segmentWord` lets a language refine a whitespace piece further (Japanese, Korean); it gets
 * the piece's code points and returns cut positions relative to the piece.
 */
export function splitTranscript(
  text: string,
  _language: Language,
  segmentWord?: (piece: string) => number[],
): TranscriptUnit[] {
  const cps = Array.from(text);
  const units: TranscriptUnit[] = [];
  let i = 0;
  while (i < cps.length) {
    while (i < cps.length && SPACE.test(cps[i]!)) i++;
    const pieceStart = i;
    while (i < cps.length && !SPACE.test(cps[i]!)) i++;
    if (i === pieceStart) continue;
    const cuts = new Set(segmentWord ? segmentWord(cps.slice(pieceStart, i).join('')) : []);
    let run: { text: string; start: number; end: number } | null = null;
    const flush = () => {
      if (run)
        units.push({ text: run.text.normalize('NFC'), charStart: run.start, charEnd: run.end });
      run = null;
    };
    for (let j = pieceStart; j < i; j++) {
      const ch = cps[j]!;
      if (cuts.has(j - pieceStart)) flush();
      // A combining mark continues its run, so NFD input gives the same units as NFC input.
      if (run && MARK.test(ch)) {
        run.text += ch;
        run.end = j + 1;
        continue;
      }
      if (!KEPT.test(ch)) continue;
      if (isCjkIdeograph(ch.codePointAt(0)!)) {
        flush();
        units.push({ text: ch, charStart: j, charEnd: j + 1 });
        continue;
      }
      if (run) {
        run.text += ch;
        run.end = j + 1;
      } else {
        run = { text: ch, start: j, end: j + 1 };
      }
    }
    flush();
  }
  return units;
}

/** Code-point slice of `text`, [start, end). */
export function sliceCodePoints(text: string, start: number, end: number): string {
  return Array.from(text).slice(start, end).join('');
}

/**
 * The text part of the result-cache key: NFC, whitespace collapsed and trimmed. Two
 * transcripts that normalise alike give the same units and so the same alignment.
 */
export function normaliseTranscript(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}
