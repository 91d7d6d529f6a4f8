import { readFile } from 'node:fs/promises';
import type { Language } from '../../shared/languages.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { decodeAudio } from '../audio/decode.ts';
import type { AlignmentEngine } from '../engines/engine.ts';
import type { DatasetItem } from './dataset.ts';
import type { TimedWord } from './score.ts';
import {
  drift,
  type ItemScore,
  type ScoredItem,
  type Summary,
  scoreItem,
  summarise,
} from './score.ts';

export interface EvaluatedItem extends ScoredItem {
  id: string;
  language: Language;
  source: string;
  /** Error text when the engine refused the item (its words then count as unmatched). */
  error?: string;
}

export interface EvaluationReport {
  engine: { name: string; model: string; revision: string };
  overall: Summary;
  byLanguage: Record<string, Summary>;
  bySource: Record<string, Summary>;
  /** Long clips: error over the first and the last minute. */
  drift: Array<{ id: string; seconds: number; firstMs: number; lastMs: number }>;
  failures: Array<{ id: string; error: string }>;
}

/** Something that times the words of an item: an engine, or another aligner's saved output. */
export interface WordAligner {
  info: { name: string; model: string; revision: string };
  /** Timed words for the item, and the compute seconds they took. */
  align(
    item: DatasetItem,
    samples: Float32Array,
  ): Promise<{ words: TimedWord[]; computeSeconds: number }>;
}

/** An engine as a WordAligner: units from the transcript, times from alignBatch. */
export function engineAligner(engine: AlignmentEngine): WordAligner {
  return {
    info: engine.info,
    async align(item, samples) {
      const units = unitsFor(item.text, item.language);
      const cps = Array.from(item.text);
      const started = performance.now();
      const [timings] = await engine.alignBatch([
        { samples, language: item.language, text: item.text, units },
      ]);
      const computeSeconds = (performance.now() - started) / 1000;
      const words = units.map((u, k) => ({
        text: cps.slice(u.charStart, u.charEnd).join(''),
        start: timings![k]!.start,
        end: timings![k]!.end,
      }));
      return { words, computeSeconds };
    },
  };
}

/**
 * Saved output of another aligner (e.g. scripts/compare-echogarden.sh): JSON
 * `{engine:{name,model,revision}, items:{[id]:{words:[{text,start,end}], computeSeconds}}}`.
 */
export interface PredictionsFile {
  engine: { name: string; model: string; revision: string };
  items: Record<string, { words: TimedWord[]; computeSeconds: number } | { error: string }>;
}

export function predictionsAligner(predictions: PredictionsFile): WordAligner {
  return {
    info: predictions.engine,
    async align(item) {
      const p = predictions.items[item.id];
      if (!p) throw new Error(`no prediction for ${item.id}`);
      if ('error' in p) throw new Error(p.error);
      return p;
    },
  };
}

/** Aligns every item, one at a time (compute time is measured per item). */
export async function evaluate(
  aligner: WordAligner,
  items: readonly DatasetItem[],
  onItem?: (item: EvaluatedItem) => void,
): Promise<EvaluationReport> {
  const evaluated: EvaluatedItem[] = [];
  for (const item of items) {
    const audio = await decodeAudio(new Uint8Array(await readFile(item.audioPath)), {
      maxSeconds: 3600,
      minSeconds: 0.05,
    });
    const started = performance.now();
    let computeSeconds = 0;
    let score: ItemScore;
    let error: string | undefined;
    try {
      const aligned = await aligner.align(item, audio.samples);
      computeSeconds = aligned.computeSeconds;
      score = scoreItem(item.words, aligned.words);
    } catch (err) {
      computeSeconds = (performance.now() - started) / 1000;
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      score = scoreItem(item.words, []);
    }
    const result: EvaluatedItem = {
      id: item.id,
      language: item.language,
      source: item.source,
      score,
      audioSeconds: audio.duration,
      computeSeconds,
      ...(error ? { error } : {}),
    };
    evaluated.push(result);
    onItem?.(result);
  }
  const group = (key: (i: EvaluatedItem) => string) => {
    const groups = new Map<string, EvaluatedItem[]>();
    for (const i of evaluated) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
    return Object.fromEntries([...groups].sort().map(([k, v]) => [k, summarise(v)]));
  };
  return {
    engine: { ...aligner.info },
    overall: summarise(evaluated),
    byLanguage: group((i) => i.language),
    bySource: group((i) => i.source),
    drift: evaluated.flatMap((i) => {
      const d = drift(i.score, i.audioSeconds);
      return d ? [{ id: i.id, seconds: i.audioSeconds, ...d }] : [];
    }),
    failures: evaluated.flatMap((i) => (i.error ? [{ id: i.id, error: i.error }] : [])),
  };
}

/** The report as a plain-text table. */
export function formatReport(report: EvaluationReport): string {
  const header =
    'group                        items  words  MAE-start  MAE-end  MAE   median  p90   <=20ms  <=50ms  <=100ms  unmatched  bias    RTF';
  const row = (name: string, s: Summary) =>
    [
      name.padEnd(28).slice(0, 28),
      String(s.items).padStart(5),
      String(s.words).padStart(6),
      s.maeStartMs.toFixed(1).padStart(9),
      s.maeEndMs.toFixed(1).padStart(8),
      s.maeMs.toFixed(1).padStart(5),
      s.medianMs.toFixed(1).padStart(7),
      s.p90Ms.toFixed(0).padStart(5),
      pct(s.within20).padStart(7),
      pct(s.within50).padStart(7),
      pct(s.within100).padStart(8),
      pct(s.unmatched).padStart(10),
      s.biasMs.toFixed(1).padStart(6),
      s.rtf.toFixed(4).padStart(8),
    ].join(' ');
  const lines = [
    `engine ${report.engine.name} (${report.engine.model}, revision ${report.engine.revision}); times in ms`,
    header,
    row('ALL', report.overall),
    '-- by language',
    ...Object.entries(report.byLanguage).map(([k, s]) => row(k, s)),
    '-- by source',
    ...Object.entries(report.bySource).map(([k, s]) => row(k, s)),
  ];
  if (report.drift.length) {
    lines.push('-- drift (long clips): MAE over the first vs the last minute');
    for (const d of report.drift) {
      lines.push(
        `${d.id}  ${d.seconds.toFixed(0)} s  first ${d.firstMs.toFixed(1)} ms  last ${d.lastMs.toFixed(1)} ms`,
      );
    }
  }
  if (report.failures.length) {
    lines.push('-- failures');
    for (const f of report.failures) lines.push(`${f.id}: ${f.error}`);
  }
  return `${lines.join('\n')}\n`;
}

function pct(x: number): string {
  return Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`;
}
