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

/**
 * Lays out clips for the encoder as the reference does for a single clip: 100-frame chunks,
 * the last partial chunk zero-padded to 100 when the clip has at least one full chunk, a clip
 * shorter than one chunk as a single chunk of its own length (a separate run), and attention
 * windows of `chunksPerWindow` consecutive chunks of the same clip.
 */
export function planEncoderRuns(
  mels: readonly { features: Float32Array; frames: number }[],
  nMels: number,
  chunkFrames: number,
  chunksPerWindow: number,
): EncoderRun[] {
  const groups = new Map<number, number[]>();
  mels.forEach((m, i) => {
    if (m.frames <= 0) throw new RangeError(`clip ${i} has no complete feature frame`);
    const t = Math.min(m.frames, chunkFrames);
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
