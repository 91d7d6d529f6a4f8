import type { Language } from '../../../shared/languages.ts';
import { isCjkIdeograph, type TranscriptUnit } from '../../../shared/transcript.ts';

/**
 * What eSpeak-NG is asked to say for a transcript, and where each of its characters came from.
 * eSpeak reports word events as offsets into this script; `origin` maps them back.
 */
export interface Script {
  text: string;
  /** For each code point of `text`, the code-point offset in the transcript it stands for. */
  origin: Int32Array;
  /** For each unit, how many code points of `text` speak it (its share of a fused word). */
  weights: Float64Array;
}

/**
 * eSpeak-NG cannot read kanji (it spells each one out as "Chinese letter"), so each kanji is
 * spoken as a two-mora stand-in: about the length of a typical reading, which is what DTW
 * needs from the template there.
 */
const KANJI_STAND_IN = 'たな';

/**
 * Builds the synthesis script: the transcript as sent (punctuation kept, it shapes eSpeak's
 * pauses), with Japanese kanji replaced by a stand-in and Japanese units that touch separated
 * by a space, so eSpeak gives each one its own word event.
 */
export function buildScript(
  transcript: string,
  units: readonly TranscriptUnit[],
  language: Language,
): Script {
  const cps = Array.from(transcript);
  const japanese = language === 'Japanese';
  const unitStarts = new Set(units.map((u) => u.charStart));
  const out: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (japanese && i > 0 && unitStarts.has(i) && !/\s/u.test(cps[i - 1]!)) {
      out.push(' ');
      origin.push(i);
    }
    if (japanese && isCjkIdeograph(ch.codePointAt(0)!)) {
      for (const stand of KANJI_STAND_IN) {
        out.push(stand);
        origin.push(i);
      }
      continue;
    }
    // Line breaks and tabs read as spaces; the offset is kept.
    out.push(/\s/u.test(ch) ? ' ' : ch);
    origin.push(i);
  }
  const weights = new Float64Array(units.length);
  let u = 0;
  for (let k = 0; k < origin.length; k++) {
    const o = origin[k]!;
    while (u < units.length && units[u]!.charEnd <= o) u++;
    if (u < units.length && o >= units[u]!.charStart && out[k] !== ' ') weights[u]! += 1;
  }
  for (let k = 0; k < weights.length; k++) if (weights[k] === 0) weights[k] = 1;
  return { text: out.join(''), origin: Int32Array.from(origin), weights };
}

/**
 * For each unit, the first word event that falls on it (or on the punctuation just before it),
 * in seconds; undefined where eSpeak fused the unit into a neighbour or skipped it.
 */
export function unitOnsets(
  script: Script,
  units: readonly TranscriptUnit[],
  events: ReadonlyArray<{ position: number; time: number }>,
): Array<number | undefined> {
  const onsets: Array<number | undefined> = new Array(units.length).fill(undefined);
  let lastUnit = -1;
  let lastTime = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.position < 0 || e.position >= script.origin.length) continue;
    const o = script.origin[e.position]!;
    // The first unit ending after this offset: the word the event starts.
    let lo = 0;
    let hi = units.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (units[mid]!.charEnd <= o) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= units.length || lo <= lastUnit || e.time < lastTime) continue;
    onsets[lo] = e.time;
    lastUnit = lo;
    lastTime = e.time;
  }
  return onsets;
}
