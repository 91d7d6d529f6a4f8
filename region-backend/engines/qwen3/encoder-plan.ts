import { tokensPerChunk } from './model-config.ts';

/** One encoder run: chunks of equal frame count from one or more clips, and their windows. */
export interface EncoderRun {
  /** Frames per chunk in this run (the full chunk size, or a lone short clip's length). */
  frames: number;
  /** [chunks, nMels, frames]. */
  features: Float32Array;
  chunks: number;
  tokenIndex: BigInt64Array;
  keyBias: Float32Array;
  windows: number;
  /** For each clip of the run: which clip, and its valid window slots in token order. */
  clips: { clip: number; slots: number[] }[];
}

const NEG = -3.4028234663852886e38;

/** A clip's features [nMels, frames] (row-major) and whether a short tail chunk is zero-padded. */
export interface EncoderSegment {
  features: Float32Array;
  frames: number;
  /** True for the tail of a clip that has at least one full chunk (padded to a full chunk). */
  padLastChunk: boolean;
  /** Which clip the segment belongs to. */
  clip: number;
}

/**
 * Cuts clips into segments of one attention window (`chunkFrames * chunksPerWindow` frames).
 * Attention never crosses a window and everything else is per chunk or per token, so encoding
 * segments separately gives the same rows as encoding whole clips, with bounded memory.
 */
export function windowSegments(
  mels: readonly { features: Float32Array; frames: number }[],
  nMels: number,
  chunkFrames: number,
  chunksPerWindow: number,
): EncoderSegment[] {
  const span = chunkFrames * chunksPerWindow;
  const out: EncoderSegment[] = [];
  mels.forEach((m, clip) => {
    for (let from = 0; from < m.frames; from += span) {
      const frames = Math.min(span, m.frames - from);
      const features = new Float32Array(nMels * frames);
      for (let r = 0; r < nMels; r++) {
        features.set(
          m.features.subarray(r * m.frames + from, r * m.frames + from + frames),
          r * frames,
        );
      }
      out.push({ features, frames, padLastChunk: m.frames >= chunkFrames, clip });
    }
  });
  return out;
}

/**
 * Lays out clips for the encoder as the reference does for a single clip: 100-frame chunks,
 * the last partial chunk zero-padded to 100 when the clip has at least one full chunk, a clip
 * shorter than one chunk as a single chunk of its own length (a separate run), and attention
 * windows of `chunksPerWindow` consecutive chunks of the same clip.
 */
export function planEncoderRuns(
  mels: readonly { features: Float32Array; frames: number; padLastChunk?: boolean }[],
  nMels: number,
  chunkFrames: number,
  chunksPerWindow: number,
): EncoderRun[] {
  const groups = new Map<number, number[]>();
  mels.forEach((m, i) => {
    if (m.frames <= 0) throw new RangeError(`clip ${i} has no complete feature frame`);
    const t = m.frames < chunkFrames && !m.padLastChunk ? m.frames : chunkFrames;
    const list = groups.get(t) ?? [];
    list.push(i);
    groups.set(t, list);
  });
  const runs: EncoderRun[] = [];
  const fullTokens = tokensPerChunk(chunkFrames);
  const windowTokens = fullTokens * chunksPerWindow;
  for (const [frames, clipIds] of groups) {
    const tpc = tokensPerChunk(frames);
    let chunkCount = 0;
    for (const c of clipIds) chunkCount += Math.ceil(mels[c]!.frames / frames);
    const features = new Float32Array(chunkCount * nMels * frames);
    const index: number[] = [];
    const clips: EncoderRun['clips'] = [];
    let chunk = 0;
    let windows = 0;
    const bias: number[] = [];
    for (const c of clipIds) {
      const { features: mel, frames: total } = mels[c]!;
      const n = Math.ceil(total / frames);
      const tokenRows: number[] = [];
      for (let k = 0; k < n; k++) {
        const from = k * frames;
        const len = Math.min(frames, total - from);
        const base = (chunk + k) * nMels * frames;
        for (let m = 0; m < nMels; m++) {
          features.set(mel.subarray(m * total + from, m * total + from + len), base + m * frames);
        }
        const valid = tokensPerChunk(len);
        for (let j = 0; j < valid; j++) tokenRows.push((chunk + k) * tpc + j);
      }
      chunk += n;
      const slots: number[] = [];
      for (let w = 0; w * windowTokens < tokenRows.length; w++) {
        const part = tokenRows.slice(w * windowTokens, (w + 1) * windowTokens);
        for (let s = 0; s < windowTokens; s++) {
          if (s < part.length) {
            index.push(part[s]!);
            bias.push(0);
            slots.push(windows * windowTokens + s);
          } else {
            index.push(0);
            bias.push(NEG);
          }
        }
        windows += 1;
      }
      clips.push({ clip: c, slots });
    }
    runs.push({
      frames,
      features,
      chunks: chunkCount,
      tokenIndex: BigInt64Array.from(index, (v) => BigInt(v)),
      keyBias: Float32Array.from(bias),
      windows,
      clips,
    });
  }
  return runs;
}
