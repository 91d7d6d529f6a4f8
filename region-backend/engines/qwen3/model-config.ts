import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every size the graphs, prompt and post-processing need, read from `config.json`. */
export interface Qwen3AlignerConfig {
  audio: {
    numMelBins: number;
    layers: number;
    heads: number;
    ffnDim: number;
    dModel: number;
    outputDim: number;
    downsampleHidden: number;
    /** Frames per encoder chunk (2 x n_window). */
    chunkFrames: number;
    /** Chunks per attention window (n_window_infer / chunkFrames). */
    chunksPerWindow: number;
    activation: string;
  };
  text: {
    vocabSize: number;
    hidden: number;
    intermediate: number;
    layers: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    rmsNormEps: number;
    ropeTheta: number;
    activation: string;
  };
  classifyNum: number;
  audioTokenId: number;
  audioStartTokenId: number;
  audioEndTokenId: number;
  timestampTokenId: number;
  /** Milliseconds per head class. */
  timestampSegmentMs: number;
}

/** A config.json that is not a Qwen3-ForcedAligner config. */
export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

type Json = Record<string, unknown>;

function num(obj: Json, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ModelConfigError(`config.json: ${where}.${key} must be a number`);
  }
  return v;
}

function obj(parent: Json, key: string, where: string): Json {
  const v = parent[key];
  if (!v || typeof v !== 'object')
    throw new ModelConfigError(`config.json: ${where}.${key} missing`);
  return v as Json;
}

/** Parses a Qwen3-ForcedAligner `config.json` object. */
export function parseAlignerConfig(raw: Json): Qwen3AlignerConfig {
  const thinker = obj(raw, 'thinker_config', '');
  if (thinker['model_type'] !== 'qwen3_forced_aligner') {
    throw new ModelConfigError(
      `config.json: thinker_config.model_type is ${JSON.stringify(thinker['model_type'])}, expected "qwen3_forced_aligner"`,
    );
  }
  const a = obj(thinker, 'audio_config', 'thinker_config');
  const t = obj(thinker, 'text_config', 'thinker_config');
  const nWindow = num(a, 'n_window', 'audio_config');
  const nWindowInfer = num(a, 'n_window_infer', 'audio_config');
  const heads = num(t, 'num_attention_heads', 'text_config');
  const hidden = num(t, 'hidden_size', 'text_config');
  return {
    audio: {
      numMelBins: num(a, 'num_mel_bins', 'audio_config'),
      layers: num(a, 'encoder_layers', 'audio_config'),
      heads: num(a, 'encoder_attention_heads', 'audio_config'),
      ffnDim: num(a, 'encoder_ffn_dim', 'audio_config'),
      dModel: num(a, 'd_model', 'audio_config'),
      outputDim: num(a, 'output_dim', 'audio_config'),
      downsampleHidden: num(a, 'downsample_hidden_size', 'audio_config'),
      chunkFrames: 2 * nWindow,
      chunksPerWindow: Math.floor(nWindowInfer / (2 * nWindow)),
      activation: String(a['activation_function'] ?? 'gelu'),
    },
    text: {
      vocabSize: num(t, 'vocab_size', 'text_config'),
      hidden,
      intermediate: num(t, 'intermediate_size', 'text_config'),
      layers: num(t, 'num_hidden_layers', 'text_config'),
      heads,
      kvHeads: num(t, 'num_key_value_heads', 'text_config'),
      headDim: typeof t['head_dim'] === 'number' ? (t['head_dim'] as number) : hidden / heads,
      rmsNormEps: num(t, 'rms_norm_eps', 'text_config'),
      ropeTheta: num(t, 'rope_theta', 'text_config'),
      activation: String(t['hidden_act'] ?? 'silu'),
    },
    classifyNum: num(thinker, 'classify_num', 'thinker_config'),
    audioTokenId: num(thinker, 'audio_token_id', 'thinker_config'),
    audioStartTokenId: num(thinker, 'audio_start_token_id', 'thinker_config'),
    audioEndTokenId: num(thinker, 'audio_end_token_id', 'thinker_config'),
    timestampTokenId: num(raw, 'timestamp_token_id', ''),
    timestampSegmentMs: num(raw, 'timestamp_segment_time', ''),
  };
}

/** Reads and parses `<modelDir>/config.json`. */
export function readAlignerConfig(modelDir: string): Qwen3AlignerConfig {
  const text = readFileSync(join(modelDir, 'config.json'), 'utf8');
  return parseAlignerConfig(JSON.parse(text) as Json);
}

/** Audio tokens the encoder makes from `frames` valid mel frames (13 per full chunk). */
export function audioTokenCount(frames: number, chunkFrames: number): number {
  const full = Math.floor(frames / chunkFrames);
  const rest = frames % chunkFrames;
  return full * tokensPerChunk(chunkFrames) + (rest > 0 ? tokensPerChunk(rest) : 0);
}

/** Tokens after three stride-2 convolutions (kernel 3, padding 1) over `frames` frames. */
export function tokensPerChunk(frames: number): number {
  let n = frames;
  for (let i = 0; i < 3; i++) n = Math.floor((n - 1) / 2) + 1;
  return n;
}
