import type { AlignedWord } from '../alignment.ts';
import type { CueOptions } from './types.ts';

/** One subtitle cue: its time span and its lines of transcript text. */
export interface Cue {
  start: number;
  end: number;
  lines: string[];
}

const DEFAULTS: Required<CueOptions> = {
  maxCharsPerLine: 42,
  maxLinesPerCue: 2,
  maxCueSeconds: 7,
  pauseSeconds: 1,
};

const SENTENCE_END = /[.!?…。！？‼⁇⁈⁉]/u;
const SPACE = /\s/u;
/** East Asian wide/fullwidth ranges: such characters take two columns on screen. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/** A word with the punctuation around it in the transcript (its display span). */
interface Span {
  word: AlignedWord;
  from: number;
  to: number;
}

/**
 * Extends every word over the punctuation touching it (up to whitespace or the neighbouring
 * word), so "Hello," keeps its comma and "¿Qué" its opening mark.
 */
function displaySpans(cps: readonly string[], words: readonly AlignedWord[]): Span[] {
  const spans: Span[] = [];
  let claimed = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const nextStart = i + 1 < words.length ? words[i + 1]!.char_start : cps.length;
    let from = word.char_start;
    while (from > claimed && !SPACE.test(cps[from - 1]!)) from--;
    let to = Math.max(word.char_end, from);
    while (to < nextStart && !SPACE.test(cps[to]!)) to++;
    spans.push({ word, from, to });
    claimed = Math.max(claimed, to);
  }
  return spans;
}

/**
 * Groups words into readable subtitle cues: lines up to `maxCharsPerLine` wide, at most
 * `maxLinesPerCue` lines, at most `maxCueSeconds` long, a new cue after sentence punctuation
 * or a long pause. Cue text is the transcript as sent (with its punctuation), cut at word
 * boundaries, whitespace collapsed. Words the engine did not find carry no timing; their
 * text still appears, inside the cue around them.
 */
export function buildCues(
  transcript: string,
  words: readonly AlignedWord[],
  options: CueOptions = {},
): Cue[] {
  const o = { ...DEFAULTS, ...options };
  // Nonsense options degrade to one word per line rather than looping or dropping text.
  o.maxLinesPerCue = Math.max(1, Math.floor(o.maxLinesPerCue) || 1);
  o.maxCharsPerLine = Math.max(1, o.maxCharsPerLine || 1);
  const cps = Array.from(transcript);
  const spans = displaySpans(cps, words);
  const text = (from: number, to: number) =>
    cps.slice(from, to).join('').replace(/\s+/gu, ' ').trim();

  interface Draft {
    lines: Span[][];
    start: number;
    end: number;
    timed: boolean;
  }
  const drafts: Draft[] = [];
  let cue: Draft | null = null;
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const span of spans) {
    const timed = span.word.status !== 'not_found';
    const { start, end } = span.word;
    if (
      cue?.timed &&
      timed &&
      (end - cue.start > o.maxCueSeconds || start - previousEnd >= o.pauseSeconds)
    )
      cue = null;
    if (cue) {
      const line = cue.lines[cue.lines.length - 1]!;
      if (displayWidth(text(line[0]!.from, span.to)) <= o.maxCharsPerLine) line.push(span);
      else if (cue.lines.length < o.maxLinesPerCue) cue.lines.push([span]);
      else cue = null;
    }
    if (!cue) {
      cue = { lines: [[span]], start: 0, end: 0, timed: false };
      drafts.push(cue);
    }
    if (timed) {
      if (!cue.timed) cue.start = start;
      cue.end = Math.max(cue.end, end);
      cue.timed = true;
      previousEnd = end;
    }
    if (SENTENCE_END.test(cps.slice(span.word.char_end, span.to).join(''))) cue = null;
  }

  // A cue of untimed words only is shown with its neighbour rather than dropped.
  const cues: Cue[] = [];
  let orphan: string[] = [];
  for (const d of drafts) {
    const lines = d.lines.map((l) => text(l[0]!.from, l[l.length - 1]!.to));
    if (!d.timed) {
      const last = cues[cues.length - 1];
      if (last) last.lines[last.lines.length - 1] += ` ${lines.join(' ')}`;
      else orphan = orphan.concat(lines);
      continue;
    }
    if (orphan.length) {
      lines[0] = `${orphan.join(' ')} ${lines[0]}`;
      orphan = [];
    }
    cues.push({ start: d.start, end: d.end, lines });
  }
  // Players want end > start and no overlap.
  for (let i = 0; i < cues.length; i++) {
    const c = cues[i]!;
    const next = cues[i + 1];
    if (next && c.end > next.start) c.end = Math.max(c.start, next.start);
    if (c.end <= c.start) c.end = next ? Math.min(c.start + 0.001, next.start) : c.start + 0.001;
  }
  return cues;
}
