import type { UnitTiming } from '../../../shared/alignment.ts';
import type { Language } from '../../../shared/languages.ts';
import type { TranscriptUnit } from '../../../shared/transcript.ts';
import { ENGINE_SAMPLE_RATE, EngineInputError } from '../engine.ts';
import { DEFAULT_DTW_OPTIONS, type DtwOptions, type Frames, warp } from './dtw.ts';
import { type Espeak, VOICES } from './espeak.ts';
import {
  computeFeatures,
  type FeatureSequence,
  FRAME_SECONDS,
  normaliseFeatures,
} from './features.ts';
import { medianPitch } from './pitch.ts';
import { buildScript, unitOnsets } from './script.ts';
import { speechFrames, syntheticSpeechFrames } from './voice-activity.ts';

export interface TemplateAlignmentInput {
  samples: Float32Array;
  language: Language;
  text: string;
  units: readonly TranscriptUnit[];
}

export interface TemplateAlignmentOptions {
  dtw: DtwOptions;
  /** A silence at a word's edge at least this long (frames) is a pause, not part of the word. */
  pauseFrames: number;
  /** Frames of such a pause left to the word (a stop's closure, a breathy onset). */
  pauseKeepFrames: number;
  /** How far inside a word's mapped edge such a pause may begin. */
  pauseReachFrames: number;
  /** Silence frames inserted in the template before each word (0: none). */
  pauseSlotFrames: number;
  /** How far from a fused word's shared-out split a pause may be to take its place. */
  fusedPauseReachFrames: number;
  /**
   * The shortest silence (frames) that may take a fused word's split: shorter than a pause
   * between words, because any silence near a split that was only a guess is better evidence.
   */
  fusedPauseFrames: number;
  /**
   * A silence at least this long (frames) is never inside a word: a word mapped across one, or
   * into one, is moved to the side of it that holds the word (0: off).
   */
  longPauseFrames: number;
}

export const DEFAULT_TEMPLATE_OPTIONS: TemplateAlignmentOptions = {
  dtw: DEFAULT_DTW_OPTIONS,
  pauseFrames: 8,
  pauseKeepFrames: 1,
  pauseReachFrames: 5,
  pauseSlotFrames: 1,
  fusedPauseReachFrames: 25,
  fusedPauseFrames: 5,
  longPauseFrames: 15,
};

/**
 * eSpeak's voices speak at ~100 Hz, its '+f3' variant at ~210 Hz: a recording whose median
 * pitch is above their geometric mean gets the high one.
 */
const HIGH_VOICE_HZ = 148;
const HIGH_VARIANT = '+f3';
/**
 * Where a boundary position lands in time, in frames: -0.5 is the edge between frame centres;
 * the quarter frame less was measured on flite speech (word edges a little later than the
 * energy edge), see docs/accuracy.md.
 */
const BOUNDARY_OFFSET_FRAMES = -0.25;
/**
 * Weight of c0 (loudness) against the other cepstra after normalisation: the loudness contour
 * (syllable rhythm, pauses) carries across voices better than spectral detail does.
 */
const LOUDNESS_WEIGHT = 2;

/**
 * Weight of the speech/non-speech flag appended to every frame's features: DTW then pays for
 * putting a pause of the recording on the template's speech (or speech on its pauses) beyond
 * what the spectra say, so pauses go to the template's pause slots and sentence pauses. Chosen
 * (1-6 tried) on half of each evaluation source; see docs/accuracy.md.
 */
const SPEECH_WEIGHT = 3;

/** Diagnostics of one alignment, for tests and benchmarks. */
export interface TemplateAlignmentStats {
  templateSeconds: number;
  dtwCells: number;
}

/**
 * Aligns one item: speaks the transcript with eSpeak-NG, warps the template's features onto the
 * recording's and carries eSpeak's word times across, then moves word edges out of pauses the
 * template did not have. Frame positions are "boundaries": position x lies between frames
 * x - 1 and x, at (x - 0.5) x 10 ms, because frame i is centred at i x 10 ms.
 */
export function alignWithTemplate(
  espeak: Espeak,
  input: TemplateAlignmentInput,
  options: TemplateAlignmentOptions = DEFAULT_TEMPLATE_OPTIONS,
  stats?: TemplateAlignmentStats,
): UnitTiming[] {
  const { units } = input;
  if (units.length === 0) return [];
  const recording = computeFeatures(input.samples, ENGINE_SAMPLE_RATE);
  const recordingSpeech = speechFrames(recording.logEnergy);
  if (firstSet(recordingSpeech) < 0) throw new EngineInputError('no speech found in the audio');
  // A template of about the speaker's pitch: MFCCs of a male and a female voice differ by more
  // than those of two speakers of one sex, and DTW follows the closer one far better.
  const pitch = medianPitch(input.samples, ENGINE_SAMPLE_RATE, recordingSpeech, FRAME_SECONDS);
  const voice =
    VOICES[input.language] + (pitch !== null && pitch > HIGH_VOICE_HZ ? HIGH_VARIANT : '');
  const script = buildScript(input.text, units, input.language);
  const synthesis = espeak.synthesize(script.text, voice);
  const onsets = unitOnsets(script, units, synthesis.words);
  if (!onsets.some((t) => t !== undefined)) {
    throw new EngineInputError('eSpeak-NG found nothing to say in this transcript');
  }
  const template = computeFeatures(synthesis.samples, synthesis.sampleRate);
  const templateSpeech = syntheticSpeechFrames(template.logEnergy);
  normaliseFeatures(template, templateSpeech);
  normaliseFeatures(recording, recordingSpeech);
  for (let f = 0; f < template.count; f++) template.values[f * template.dims]! *= LOUDNESS_WEIGHT;
  for (let f = 0; f < recording.count; f++)
    recording.values[f * recording.dims]! *= LOUDNESS_WEIGHT;
  withSpeechDimension(template, templateSpeech, SPEECH_WEIGHT);
  withSpeechDimension(recording, recordingSpeech, SPEECH_WEIGHT);

  const spans = templateSpans(onsets, script.weights, templateSpeech, template.count);
  const tFirst = firstSet(templateSpeech);
  const tLast = lastSet(templateSpeech) + 1;
  let rFirst = firstSet(recordingSpeech);
  let rLast = lastSet(recordingSpeech) + 1;
  if (tFirst < 0) throw new EngineInputError('eSpeak-NG produced silence for this transcript');
  // A little slack around the detected speech: a soft onset may sit under the threshold.
  rFirst = Math.max(0, rFirst - 3);
  rLast = Math.min(recording.count, rLast + 3);

  // A pause slot before every word of the template: one frame of silence that a pause in the
  // recording can warp onto. Without it DTW must put the pause on some speech frame of the
  // template, often inside a word; with it, a word's edges stop at the pause.
  const slots = pauseSlots(spans, tFirst, tLast);
  const slotsBefore = (x: number, inclusive: boolean) => {
    let n = 0;
    for (const p of slots) if (p < x || (inclusive && p === x)) n++;
    return n * options.pauseSlotFrames;
  };
  const augmented = withPauseSlots(
    slice(template, tFirst, tLast),
    slots,
    silenceFrame(template),
    options.pauseSlotFrames,
  );
  const path = warp(augmented, slice(recording, rFirst, rLast), options.dtw);
  if (stats) {
    stats.templateSeconds = synthesis.samples.length / synthesis.sampleRate;
    stats.dtwCells = path.cells;
  }
  const rows = augmented.count;
  const colFirst = new Int32Array(rows).fill(-1);
  const colLast = new Int32Array(rows);
  const rowDistance = new Float64Array(rows);
  const rowSteps = new Int32Array(rows);
  for (let s = 0; s < path.rows.length; s++) {
    const r = path.rows[s]!;
    const c = path.cols[s]! + rFirst;
    if (colFirst[r] === -1) colFirst[r] = c;
    colLast[r] = c;
    rowDistance[r]! += path.distances[s]!;
    rowSteps[r]! += 1;
  }
  // Boundary position in the recording for a boundary at template position x (absolute).
  const startAt = (x: number) =>
    mapBoundary(x - tFirst + slotsBefore(x - tFirst, true), rows, (k) => colFirst[k]!, colLast);
  const endAt = (x: number) =>
    mapBoundary(
      x - tFirst + slotsBefore(x - tFirst, false),
      rows,
      (k) => (k === 0 ? colFirst[0]! : colLast[k - 1]! + 1),
      colLast,
    );

  const sortedDistances = Float32Array.from(path.distances).sort();
  const median = sortedDistances[sortedDistances.length >> 1]! || 1;

  const duration = input.samples.length / ENGINE_SAMPLE_RATE;
  const starts = spans.map((span) => startAt(span.start));
  const ends = spans.map((span, u) => Math.max(starts[u]!, endAt(span.end)));
  // Inside a fused word the split is only a share of its length: a pause near it is better evidence.
  for (let u = 0; u + 1 < spans.length; u++) {
    if (spans[u + 1]!.groupStart) continue;
    const pause = nearestPause(
      ends[u]!,
      recordingSpeech,
      options.fusedPauseReachFrames,
      options.fusedPauseFrames,
    );
    if (pause && pause.start > starts[u]! && pause.end < ends[u + 1]!) {
      ends[u] = pause.start + options.pauseKeepFrames;
      starts[u + 1] = pause.end - options.pauseKeepFrames;
    }
  }
  if (options.longPauseFrames > 0) {
    const widths = spans.map((span) => span.end - span.start);
    // Where eSpeak itself paused (punctuation): on which side of a pause a word belongs.
    const sides = spans.map((span) => {
      const before = silenceBefore(templateSpeech, Math.round(span.start)) >= options.pauseFrames;
      const after = silenceAfter(templateSpeech, Math.round(span.end)) >= options.pauseFrames;
      return before === after ? 0 : before ? 1 : -1;
    });
    moveOutOfLongPauses(starts, ends, widths, recordingSpeech, options, sides);
  }
  const timings: UnitTiming[] = [];
  let previousEnd = 0;
  for (let u = 0; u < units.length; u++) {
    const span = spans[u]!;
    let [start, end] = trimPauses(starts[u]!, ends[u]!, recordingSpeech, options);
    // DTW was given a few frames of slack before the recording's first speech frame: the first
    // word starts at most pauseKeepFrames before it.
    if (u === 0) start = Math.max(start, firstSet(recordingSpeech) - options.pauseKeepFrames);
    start = Math.max(start, previousEnd);
    end = Math.max(end, start);
    previousEnd = end;
    // Confidence: how well the template matched the recording over this unit, relative to
    // the clip as a whole; lower for units whose times were shared out of a fused word.
    let sum = 0;
    let steps = 0;
    const r0 = span.start - tFirst + slotsBefore(span.start - tFirst, true);
    const r1 = span.end - tFirst + slotsBefore(span.end - tFirst, false);
    for (let r = Math.max(0, Math.floor(r0)); r < Math.min(rows, Math.ceil(r1)); r++) {
      sum += rowDistance[r]!;
      steps += rowSteps[r]!;
    }
    const ratio = steps > 0 ? sum / steps / median : 2;
    let confidence = 1 / (1 + Math.exp((ratio - 1.4) * 4));
    if (span.interpolated) confidence *= 0.6;
    timings.push({
      start: Math.max(0, (start + BOUNDARY_OFFSET_FRAMES) * FRAME_SECONDS),
      end: Math.min(duration, Math.max(0, (end + BOUNDARY_OFFSET_FRAMES) * FRAME_SECONDS)),
      confidence,
      status: span.interpolated ? 'interpolated' : 'aligned',
    });
  }
  return timings;
}

interface Span {
  /** Template boundary positions (frames). */
  start: number;
  end: number;
  interpolated: boolean;
  /** First unit of a word event's group (where the template may pause). */
  groupStart: boolean;
}

/**
 * Each unit's stretch of the template: from its word event to the next one, without the
 * silence at either end; units eSpeak fused into one word share it by their length in the script.
 */
function templateSpans(
  onsets: ReadonlyArray<number | undefined>,
  weights: Float64Array,
  speech: Uint8Array,
  frames: number,
): Span[] {
  const groups: number[] = [];
  onsets.forEach((t, u) => {
    if (t !== undefined) groups.push(u);
  });
  // Units before the first event belong to the first group.
  groups[0] = 0;
  const spans: Span[] = new Array(onsets.length);
  for (let g = 0; g < groups.length; g++) {
    const first = groups[g]!;
    const last = (groups[g + 1] ?? onsets.length) - 1;
    // eSpeak sometimes reports no event for the first word(s) (Korean 내일 ...): the units
    // before its first event then start where the template does.
    const onset =
      g === 0 && firstDefined(onsets) > 0 ? 0 : onsets[first === 0 ? firstDefined(onsets) : first]!;
    const next = g + 1 < groups.length ? onsets[groups[g + 1]!]! : frames * FRAME_SECONDS;
    let a = Math.round(onset / FRAME_SECONDS);
    let b = Math.min(frames, Math.round(next / FRAME_SECONDS));
    const a0 = a;
    const b0 = b;
    while (a < b && !speech[a]) a++;
    while (b > a && !speech[b - 1]) b--;
    if (a >= b) {
      a = a0;
      b = Math.max(b0, a0 + 1);
    }
    let total = 0;
    for (let u = first; u <= last; u++) total += weights[u]!;
    let at = a;
    for (let u = first; u <= last; u++) {
      const width = ((b - a) * weights[u]!) / total;
      spans[u] = {
        start: at,
        end: at + width,
        interpolated: last > first,
        groupStart: u === first,
      };
      at += width;
    }
  }
  return spans;
}

/** Maps a template boundary (relative position x in [0, rows]) to a recording boundary. */
function mapBoundary(
  x: number,
  rows: number,
  at: (k: number) => number,
  colLast: Int32Array,
): number {
  const edge = (k: number) => (k >= rows ? colLast[rows - 1]! + 1 : at(Math.max(0, k)));
  if (x <= 0) return edge(0);
  if (x >= rows) return edge(rows);
  const k = Math.floor(x);
  const frac = x - k;
  return edge(k) + frac * (edge(k + 1) - edge(k));
}

/**
 * Moves a word's edges out of silences long enough to be pauses: a pause that begins within
 * `pauseReachFrames` of the word's mapped start (DTW often leaves a frame or two of the previous
 * word's tail there) moves the start to the pause's end, and likewise for the end.
 */
function trimPauses(
  start: number,
  end: number,
  speech: Uint8Array,
  options: TemplateAlignmentOptions,
): [number, number] {
  const s = Math.round(start);
  const e = Math.round(end);
  let newStart = start;
  for (let i = s; i < Math.min(e, s + options.pauseReachFrames + 1); i++) {
    if (speech[i]) continue;
    let j = i;
    while (j < e && !speech[j]) j++;
    if (j - i >= options.pauseFrames && j < e)
      newStart = Math.max(start, j - options.pauseKeepFrames);
    break;
  }
  let newEnd = end;
  for (let i = e - 1; i >= Math.max(Math.ceil(newStart), e - options.pauseReachFrames - 1); i--) {
    if (speech[i]) continue;
    let j = i;
    while (j >= Math.ceil(newStart) && !speech[j]) j--;
    if (i - j >= options.pauseFrames && j >= Math.ceil(newStart))
      newEnd = Math.min(end, j + 1 + options.pauseKeepFrames);
    break;
  }
  return [newStart, Math.max(newStart, newEnd)];
}

/**
 * DTW sometimes squeezes a short word that follows a long pause into the pause's first frames
 * (the recording's word then goes to the next word), or stretches a word across a pause into
 * its neighbour's speech. A word's span never holds a pause of `longPauseFrames` or more.
 * A word lying (all but its edge frames) inside one moves to the speech after it, sharing that
 * with the next word by template length (`widths`). A word spanning one keeps one side and hands
 * the other to its neighbour: the side away from the template's own pause when eSpeak paused on
 * just one side of the word (`sides[u]`: 1 before it, -1 after it, 0 neither or both), else the
 * side with more speech. `starts` and `ends` (recording boundaries) change in place.
 */
export function moveOutOfLongPauses(
  starts: number[],
  ends: number[],
  widths: readonly number[],
  speech: Uint8Array,
  options: TemplateAlignmentOptions,
  sides?: readonly number[],
): void {
  const keep = options.pauseKeepFrames;
  const long = options.longPauseFrames;
  for (let u = 0; u < starts.length; u++) {
    const s = Math.min(speech.length - 1, Math.max(0, Math.round(starts[u]!)));
    const e = Math.min(speech.length, Math.max(s + 1, Math.round(ends[u]!)));
    // Its first frames may still be the previous word's tail, its last the next word's onset.
    const inner = keep + 1;
    let voiced = 0;
    for (let i = s + inner; i < e - inner; i++) voiced += speech[i]!;
    if (voiced === 0) {
      // Wholly inside a pause: if the pause is long and the next word starts at its end,
      // this word is the speech right after it.
      let j = Math.max(s + inner, e - inner);
      while (j < speech.length && !speech[j]) j++;
      let k = Math.min(j, s + inner);
      while (k > 0 && !speech[k - 1]) k--;
      if (j - k < long || j >= speech.length || u + 1 >= starts.length) continue;
      // Only when the next word follows on and reaches past the pause.
      if (starts[u + 1]! < ends[u]! - 1 || ends[u + 1]! <= j) continue;
      const from = j - keep;
      const to = Math.max(from + 1, ends[u + 1]!);
      const share = widths[u]! / Math.max(1e-9, widths[u]! + widths[u + 1]!);
      starts[u] = from;
      ends[u] = Math.max(from + 1, Math.max(starts[u + 1]!, from + share * (to - from)));
      starts[u + 1] = Math.max(starts[u + 1]!, ends[u]!);
      continue;
    }
    // The longest silence strictly inside the span, with speech on both sides within it.
    let best: { k: number; j: number } | null = null;
    let i = s;
    while (i < e) {
      if (speech[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < e && !speech[j]) j++;
      if (i > s && j < e && j - i >= long && (!best || j - i > best.j - best.k)) best = { k: i, j };
      i = j;
    }
    if (!best) continue;
    let left = 0;
    let right = 0;
    for (let x = s; x < best.k; x++) left += speech[x]!;
    for (let x = best.j; x < e; x++) right += speech[x]!;
    // The template's own pause, if it has one on just one side of the word, says which side
    // the recording's pause is on; otherwise the side with more speech is the word.
    const side = sides?.[u] ?? 0;
    if (side < 0 || (side === 0 && left >= right)) {
      // The next word, if it followed on, starts where the speech after the pause does.
      if (u + 1 < starts.length && starts[u + 1]! >= ends[u]! - 1) {
        starts[u + 1] = Math.min(starts[u + 1]!, best.j - keep);
      }
      ends[u] = best.k + keep;
    } else {
      starts[u] = best.j - keep;
      if (u > 0 && ends[u - 1]! <= best.k && ends[u - 1]! >= s - 1) ends[u - 1] = best.k + keep;
    }
  }
}

/** The non-speech run of at least `minFrames` whose middle is nearest to `at`, within `reach`. */
function nearestPause(
  at: number,
  speech: Uint8Array,
  reach: number,
  minFrames: number,
): { start: number; end: number } | null {
  const from = Math.max(0, Math.round(at) - reach);
  const to = Math.min(speech.length, Math.round(at) + reach);
  let best: { start: number; end: number } | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  let i = from;
  while (i < to) {
    if (speech[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < speech.length && !speech[j]) j++;
    let k = i;
    while (k > 0 && !speech[k - 1]) k--;
    const distance = Math.abs((k + j) / 2 - at);
    if (j - k >= minFrames && distance < bestDistance) {
      best = { start: k, end: j };
      bestDistance = distance;
    }
    i = j;
  }
  return best;
}

/** Template positions (relative to `first`) where a word event's group starts, after the first. */
function pauseSlots(spans: readonly Span[], first: number, last: number): number[] {
  const slots: number[] = [];
  for (let u = 1; u < spans.length; u++) {
    const span = spans[u]!;
    if (span.groupStart && span.start > first && span.start < last) {
      const p = Math.round(span.start) - first;
      if (slots.at(-1) !== p) slots.push(p);
    }
  }
  return slots;
}

/** The template's quietest frame: what silence looks like in its normalised feature space. */
function silenceFrame(x: FeatureSequence): Float32Array {
  let best = 0;
  for (let f = 1; f < x.count; f++) if (x.logEnergy[f]! < x.logEnergy[best]!) best = f;
  return x.values.slice(best * x.dims, (best + 1) * x.dims);
}

/** `x` with `width` copies of `silence` inserted before each position in `slots` (ascending). */
function withPauseSlots(
  x: Frames,
  slots: readonly number[],
  silence: Float32Array,
  width: number,
): Frames {
  const count = x.count + slots.length * width;
  const values = new Float32Array(count * x.dims);
  let out = 0;
  let next = 0;
  for (let f = 0; f < x.count; f++) {
    while (next < slots.length && slots[next] === f) {
      for (let w = 0; w < width; w++) values.set(silence, out++ * x.dims);
      next++;
    }
    values.set(x.values.subarray(f * x.dims, (f + 1) * x.dims), out++ * x.dims);
  }
  return { values, count, dims: x.dims };
}

/** Appends a dimension to `x` (in place): `weight` on frames `speech` marks, 0 elsewhere. */
function withSpeechDimension(x: FeatureSequence, speech: Uint8Array, weight: number): void {
  const dims = x.dims + 1;
  const values = new Float32Array(x.count * dims);
  for (let f = 0; f < x.count; f++) {
    values.set(x.values.subarray(f * x.dims, (f + 1) * x.dims), f * dims);
    values[f * dims + x.dims] = speech[f] ? weight : 0;
  }
  x.values = values;
  x.dims = dims;
}

function slice(x: Frames, from: number, to: number): Frames {
  return { values: x.values.subarray(from * x.dims, to * x.dims), count: to - from, dims: x.dims };
}

/** Non-speech frames just before boundary `at` (up to 50). */
function silenceBefore(speech: Uint8Array, at: number): number {
  let n = 0;
  while (n < 50 && at - n - 1 >= 0 && !speech[at - n - 1]) n++;
  return n;
}

/** Non-speech frames just after boundary `at` (up to 50). */
function silenceAfter(speech: Uint8Array, at: number): number {
  let n = 0;
  while (n < 50 && at + n < speech.length && !speech[at + n]) n++;
  return n;
}

function firstSet(mask: Uint8Array): number {
  return mask.indexOf(1);
}

function lastSet(mask: Uint8Array): number {
  return mask.lastIndexOf(1);
}

function firstDefined(values: ReadonlyArray<number | undefined>): number {
  return values.findIndex((v) => v !== undefined);
}
