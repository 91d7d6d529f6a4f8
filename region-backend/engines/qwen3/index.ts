import type { EngineInfo, UnitTiming } from '../../../shared/alignment.ts';
import type { Language } from '../../../shared/languages.ts';
import { unitsFor } from '../../../shared/segmenters.ts';
import {
  type AlignmentEngine,
  type AlignmentItem,
  ENGINE_SAMPLE_RATE,
  EngineInputError,
  type RawAligner,
  type RawUnitTiming,
} from '../engine.ts';
import type { EngineOptions } from '../registry.ts';
import { type ForwardItem, Qwen3Aligner } from './aligner.ts';
import { findCollapsedRuns } from './collapse.ts';
import { fixTimestamps } from './fix-timestamp.ts';
import { buildGraphs, currentBuild, defaultGraphDir } from './graph-build.ts';
import { audioTokenCount, readAlignerConfig } from './model-config.ts';
import { assertModelDir, modelIdentity } from './model-files.ts';
import {
  type MergedUnit,
  mergePieces,
  type PieceJob,
  type PieceTimes,
  planPieces,
} from './piece-plan.ts';
import { UnitTokenizer } from './tokenizer.ts';

export { ModelDirError } from './model-files.ts';

/** Engine options plus where built graphs live (default `<modelDir>/onnx`). */
export interface Qwen3EngineOptions extends EngineOptions {
  graphDir?: string | undefined;
  /** Longest piece of audio aligned in one pass, seconds (default 180). */
  maxPieceSeconds?: number;
  /** Progress lines while graphs are built on first use (default: stderr). */
  log?: (line: string) => void;
}

/** Units in one run of identical times that count as a collapse. */
const COLLAPSE_MIN_RUN = 4;
/** Shortest span worth re-aligning a collapsed run in, seconds. */
const MIN_REALIGN_SECONDS = 1;

/** Largest decoder attention-score tensor a batch may need (one is alive per layer), bytes. */
const ATTENTION_BUDGET_BYTES = 1.5 * 2 ** 30;

/** Audio shared by neighbouring pieces of a long clip, seconds. */
const PIECE_OVERLAP_SECONDS = 10;

/** A merged unit as the engine reports it: repaired units are interpolated, less trusted. */
function toTiming(m: MergedUnit): UnitTiming {
  return {
    start: m.start,
    end: m.end,
    confidence: m.repaired ? m.conf / 2 : m.conf,
    status: m.repaired ? 'interpolated' : 'aligned',
  };
}

/**
 * The qwen3 engine: Qwen3-ForcedAligner-0.6B on onnxruntime-node (CUDA when present and
 * allowed, else CPU). Graphs are built from the model directory on first use.
 */
export class Qwen3Engine implements AlignmentEngine, RawAligner {
  constructor(
    readonly info: EngineInfo,
    readonly maxBatchSize: number,
    private readonly aligner: Qwen3Aligner,
    private readonly maxPieceSeconds: number,
  ) {}

  get device(): string {
    return this.aligner.device;
  }

  private tokens(units: readonly { text: string }[]): number[][] {
    return units.map((u) => this.aligner.tokenizer.encode(u.text));
  }

  /** Raw classes -> repaired ms, per slot. */
  private times(classes: readonly number[]): { ms: number[]; repaired: boolean[] } {
    const raw = classes.map((c) => c * this.aligner.cfg.timestampSegmentMs);
    const { values, repaired } = fixTimestamps(raw);
    return { ms: values, repaired };
  }

  /**
   * Forward passes in batches of at most maxBatchSize, similar lengths together (padding is
   * compute spent on nothing) and no bigger than the attention-score budget allows (the
   * decoder's scores grow with batch x heads x length^2); results in the order of `items`.
   */
  private async forwardAll(items: ForwardItem[], signal?: AbortSignal) {
    const cfg = this.aligner.cfg;
    const length = (it: ForwardItem) =>
      audioTokenCount(Math.floor(it.samples.length / 160), cfg.audio.chunkFrames) +
      2 +
      it.unitTokenIds.reduce((n, ids) => n + ids.length + 2, 0);
    const lengths = items.map(length);
    const order = items.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
    const scoreBytes = (batch: number, len: number) => batch * cfg.text.heads * len * len * 4;
    const out: Awaited<ReturnType<Qwen3Aligner['forward']>> = new Array(items.length);
    let i = 0;
    while (i < order.length) {
      signal?.throwIfAborted();
      let n = 1;
      while (
        i + n < order.length &&
        n < this.maxBatchSize &&
        scoreBytes(n + 1, lengths[order[i + n]!]!) <= ATTENTION_BUDGET_BYTES
      ) {
        n++;
      }
      const ids = order.slice(i, i + n);
      const results = await this.aligner.forward(ids.map((k) => items[k]!));
      ids.forEach((k, j) => {
        out[k] = results[j]!;
      });
      i += n;
    }
    return out;
  }

  private async runPieces(
    jobs: readonly PieceJob[],
    items: readonly { samples: Float32Array; tokens: number[][] }[],
    signal?: AbortSignal,
  ): Promise<PieceTimes[]> {
    const forward = await this.forwardAll(
      jobs.map((j) => ({
        samples: items[j.item]!.samples.subarray(j.start, j.end),
        unitTokenIds: j.units.map((u) => items[j.item]!.tokens[u]!),
      })),
      signal,
    );
    return forward.map((f, k) => {
      const offset = jobs[k]!.start / ENGINE_SAMPLE_RATE;
      const { ms, repaired } = this.times(f.classes);
      const n = jobs[k]!.units.length;
      const r: PieceTimes = { starts: [], ends: [], conf: [], repaired: [] };
      for (let u = 0; u < n; u++) {
        r.starts.push(offset + ms[2 * u]! / 1000);
        r.ends.push(offset + ms[2 * u + 1]! / 1000);
        r.conf.push(Math.sqrt(f.confidence[2 * u]! * f.confidence[2 * u + 1]!));
        r.repaired.push(repaired[2 * u]! || repaired[2 * u + 1]!);
      }
      return r;
    });
  }

  async alignBatch(items: readonly AlignmentItem[], signal?: AbortSignal): Promise<UnitTiming[][]> {
    const prepared = items.map((it, i) => {
      if (it.samples.length < 160) {
        throw new EngineInputError(`item ${i}: audio shorter than 10 ms cannot be aligned`);
      }
      return { samples: it.samples, tokens: this.tokens(it.units) };
    });
    // Long clips are cut at quiet points into overlapping pieces; every piece of every item
    // goes through the model in one batched pass.
    const jobs = items.flatMap((it, i) =>
      planPieces(
        i,
        it.samples,
        it.units.map((u) => Array.from(u.text).length + 1),
        this.maxPieceSeconds,
        Math.min(PIECE_OVERLAP_SECONDS, this.maxPieceSeconds / 6),
        ENGINE_SAMPLE_RATE,
      ),
    );
    const times = await this.runPieces(jobs, prepared, signal);
    const results: UnitTiming[][] = [];
    const retries: PieceJob[] = [];
    items.forEach((it, i) => {
      const mine = jobs.flatMap((j, k) => (j.item === i ? [k] : []));
      const merged = mergePieces(
        it.units.length,
        mine.map((k) => jobs[k]!),
        mine.map((k) => times[k]!),
        ENGINE_SAMPLE_RATE,
      );
      results.push(merged.map(toTiming));
      // A collapsed run is aligned again on its own, between its neighbours' times.
      const starts = merged.map((m) => m.start);
      const ends = merged.map((m) => m.end);
      const duration = it.samples.length;
      for (const [a, b] of findCollapsedRuns(starts, ends, COLLAPSE_MIN_RUN)) {
        const lo = a > 0 ? ends[a - 1]! : 0;
        const hi = b < starts.length ? starts[b]! : duration / ENGINE_SAMPLE_RATE;
        const start = Math.max(0, Math.floor(lo * ENGINE_SAMPLE_RATE));
        const end = Math.min(duration, Math.ceil(hi * ENGINE_SAMPLE_RATE));
        const span = end - start;
        if (
          span >= MIN_REALIGN_SECONDS * ENGINE_SAMPLE_RATE &&
          span < merged[a]!.pieceLength &&
          span <= this.maxPieceSeconds * ENGINE_SAMPLE_RATE
        ) {
          retries.push({ item: i, start, end, units: range(a, b), core: { start, end } });
        } else {
          for (let u = a; u < b; u++) {
            const t = results[i]![u]!;
            results[i]![u] = {
              ...t,
              confidence: Math.min(t.confidence, 0.1),
              status: 'interpolated',
            };
          }
        }
      }
    });
    if (retries.length > 0) {
      const second = await this.runPieces(retries, prepared, signal);
      second.forEach((r, k) => {
        const job = retries[k]!;
        const stillCollapsed = findCollapsedRuns(r.starts, r.ends, COLLAPSE_MIN_RUN).length > 0;
        job.units.forEach((u, j) => {
          results[job.item]![u] = stillCollapsed
            ? spread(job, j, job.units.length)
            : {
                start: r.starts[j]!,
                end: r.ends[j]!,
                confidence: r.repaired[j] ? r.conf[j]! / 2 : r.conf[j]!,
                status: 'interpolated',
              };
        });
      });
    }
    return results;
  }

  /** The official `align()` output for one clip: one pass, official units, no clamping. */
  async alignRaw(
    samples: Float32Array,
    text: string,
    language: Language,
  ): Promise<RawUnitTiming[]> {
    const units = unitsFor(text, language);
    if (units.length === 0) return [];
    if (samples.length < 160)
      throw new EngineInputError('audio shorter than 10 ms cannot be aligned');
    const [f] = await this.aligner.forward([{ samples, unitTokenIds: this.tokens(units) }]);
    const { ms } = this.times(f!.classes);
    return units.map((u, i) => ({
      text: u.text,
      start_time: ms[2 * i]! / 1000,
      end_time: ms[2 * i + 1]! / 1000,
    }));
  }

  async close(): Promise<void> {
    await this.aligner.close();
  }
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** Even spread of a run that collapsed twice over its span: placed, not found by the model. */
function spread(job: PieceJob, j: number, n: number): UnitTiming {
  const span = (job.end - job.start) / ENGINE_SAMPLE_RATE;
  const t0 = job.start / ENGINE_SAMPLE_RATE;
  return {
    start: t0 + (span * j) / n,
    end: t0 + (span * (j + 1)) / n,
    confidence: 0,
    status: 'interpolated',
  };
}

/**
 * Opens the qwen3 engine on `options.modelDir`. Builds the ONNX graphs there (or in
 * `graphDir`) when missing or stale. Throws a ModelDirError naming the commands to run when
 * the model files are absent.
 */
export async function createQwen3Engine(options: Qwen3EngineOptions): Promise<Qwen3Engine> {
  const modelDir = assertModelDir(options.modelDir);
  const graphDir = options.graphDir ?? defaultGraphDir(modelDir);
  const cfg = readAlignerConfig(modelDir);
  let build = currentBuild(modelDir, graphDir, { debug: false });
  const log = options.log ?? ((line: string) => process.stderr.write(`qwen3: ${line}\n`));
  if (!build) {
    log(`building ONNX graphs for ${modelDir} in ${graphDir} ...`);
    build = await buildGraphs({ modelDir, outDir: graphDir });
    log(`built in ${(build.buildMs / 1000).toFixed(1)} s`);
  }
  const tokenizer = new UnitTokenizer(modelDir);
  const aligner = await Qwen3Aligner.open(
    cfg,
    tokenizer,
    graphDir,
    options.device,
    options.threads,
  );
  const { model, revision } = modelIdentity(modelDir, build.weights.sha256);
  return new Qwen3Engine(
    { name: 'qwen3', model, revision },
    Math.max(1, options.maxBatchSize),
    aligner,
    options.maxPieceSeconds ?? 180,
  );
}
