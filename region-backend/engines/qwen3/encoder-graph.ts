import type { Qwen3AlignerConfig } from './model-config.ts';
import { tokensPerChunk } from './model-config.ts';
import { DType, type GraphBuilder } from './onnx-graph.ts';
import type { WeightStore } from './weight-store.ts';

/** Names of the audio encoder graph's inputs and outputs (the engine feeds these). */
export const ENCODER_IO = {
  /** [chunks, mel bins, frames]: each chunk 100 frames (zero-padded), or one shorter chunk. */
  features: 'input_features',
  /** [windows * window_tokens] int64: row of [chunks * tokens_per_chunk] for each window slot. */
  tokenIndex: 'token_index',
  /** [windows, 1, 1, window_tokens] float: 0 for real tokens, a large negative for padding. */
  keyBias: 'key_bias',
  /** [windows, window_tokens, output_dim]. */
  out: 'encoder_out',
  /** Debug: [chunks, tokens_per_chunk, d_model] after convs + conv_out + positions. */
  convPos: 'conv_pos',
  /** Debug: [windows, window_tokens, d_model] after encoder layer 0. */
  layer0: 'enc_layer0',
} as const;

const P = 'thinker.audio_tower';

/**
 * The sinusoidal positions added in every chunk: [rows, dim], first half sin, second half cos,
 * computed in float32 steps as the reference does.
 */
export function audioSinusoids(rows: number, dim: number): Float32Array {
  const half = dim / 2;
  const inc = Math.log(10000) / (half - 1);
  const inv = new Float32Array(half);
  for (let k = 0; k < half; k++) inv[k] = Math.fround(Math.exp(Math.fround(-inc * k)));
  const out = new Float32Array(rows * dim);
  for (let t = 0; t < rows; t++) {
    for (let k = 0; k < half; k++) {
      const x = Math.fround(t * inv[k]!);
      out[t * dim + k] = Math.sin(x);
      out[t * dim + half + k] = Math.cos(x);
    }
  }
  return out;
}

/** Linear layer: x @ W (+ b when the checkpoint has a bias). */
export function linear(g: GraphBuilder, w: WeightStore, x: string, prefix: string): string {
  const y = g.op('MatMul', [x, w.linear(`${prefix}.weight`)]);
  return w.has(`${prefix}.bias`) ? g.op('Add', [y, w.tensor(`${prefix}.bias`)]) : y;
}

function gelu(g: GraphBuilder, x: string): string {
  return g.op('Gelu', [x], { approximate: 'none' });
}

/**
 * Audio encoder (AuT): three stride-2 convolutions per chunk, conv_out, per-chunk sinusoidal
 * positions, then the transformer layers with attention inside fixed windows of
 * `chunksPerWindow` chunks (104 tokens for the real model), then ln_post, proj1, GELU, proj2.
 * Windows are laid out by the engine (`token_index`), so clips of one batch never see each other.
 */
export function buildEncoderGraph(
  g: GraphBuilder,
  w: WeightStore,
  cfg: Qwen3AlignerConfig,
  debug: boolean,
): void {
  const a = cfg.audio;
  const headDim = a.dModel / a.heads;
  const tpc = tokensPerChunk(a.chunkFrames);
  const windowTokens = tpc * a.chunksPerWindow;

  const feats = g.input(ENCODER_IO.features, DType.float, ['chunks', a.numMelBins, 'frames']);
  const tokenIndex = g.input(ENCODER_IO.tokenIndex, DType.int64, ['window_slots']);
  const keyBias = g.input(ENCODER_IO.keyBias, DType.float, ['windows', 1, 1, windowTokens]);

  let x = g.op('Unsqueeze', [feats, g.constInt64([1])]);
  for (const conv of ['conv2d1', 'conv2d2', 'conv2d3']) {
    x = g.op('Conv', [x, w.tensor(`${P}.${conv}.weight`), w.tensor(`${P}.${conv}.bias`)], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    });
    x = gelu(g, x);
  }
  // [chunks, channels, freq, time] -> [chunks, time, channels * freq]
  x = g.op('Transpose', [x], { perm: [0, 3, 1, 2] });
  x = g.op('Reshape', [x, g.constInt64([0, 0, -1])]);
  x = linear(g, w, x, `${P}.conv_out`);
  const positions = g.constFloat(audioSinusoids(tpc, a.dModel), [tpc, a.dModel], 'audio_pos');
  const t = g.op('Gather', [g.op('Shape', [x]), g.constInt64([1], [])], { axis: 0 });
  const pos = g.op('Slice', [
    positions,
    g.constInt64([0]),
    g.op('Unsqueeze', [t, g.constInt64([0])]),
    g.constInt64([0]),
  ]);
  const convPos = g.op('Add', [x, pos], {}, debug ? ENCODER_IO.convPos : undefined);
  if (debug) g.output(ENCODER_IO.convPos, DType.float, ['chunks', 'chunk_tokens', a.dModel]);

  // Gather the valid tokens into attention windows.
  const flat = g.op('Reshape', [convPos, g.constInt64([-1, a.dModel])]);
  let h = g.op('Gather', [flat, tokenIndex], { axis: 0 });
  h = g.op('Reshape', [h, g.constInt64([-1, windowTokens, a.dModel])]);

  const scale = g.constFloat([headDim ** -0.5], [], 'attn_scale');
  const headShape = g.constInt64([0, 0, a.heads, headDim]);
  const mergeShape = g.constInt64([0, 0, a.dModel]);
  for (let l = 0; l < a.layers; l++) {
    const p = `${P}.layers.${l}`;
    const ln = (x: string, name: string) =>
      g.op('LayerNormalization', [x, w.tensor(`${name}.weight`), w.tensor(`${name}.bias`)], {
        axis: -1,
        epsilon: { float: 1e-5 },
      });
    const hn = ln(h, `${p}.self_attn_layer_norm`);
    const heads = (name: string, perm: number[]) =>
      g.op(
        'Transpose',
        [g.op('Reshape', [linear(g, w, hn, `${p}.self_attn.${name}`), headShape])],
        {
          perm,
        },
      );
    const q = heads('q_proj', [0, 2, 1, 3]);
    const kT = heads('k_proj', [0, 2, 3, 1]);
    const v = heads('v_proj', [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), keyBias]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    let ctx = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
    ctx = g.op('Reshape', [ctx, mergeShape]);
    h = g.op('Add', [h, linear(g, w, ctx, `${p}.self_attn.out_proj`)]);
    const fn = ln(h, `${p}.final_layer_norm`);
    const ff = linear(g, w, gelu(g, linear(g, w, fn, `${p}.fc1`)), `${p}.fc2`);
    h = g.op('Add', [h, ff], {}, debug && l === 0 ? ENCODER_IO.layer0 : undefined);
    if (debug && l === 0)
      g.output(ENCODER_IO.layer0, DType.float, ['windows', windowTokens, a.dModel]);
  }
  h = g.op(
    'LayerNormalization',
    [h, w.tensor(`${P}.ln_post.weight`), w.tensor(`${P}.ln_post.bias`)],
    {
      axis: -1,
      epsilon: { float: 1e-5 },
    },
  );
  h = gelu(g, linear(g, w, h, `${P}.proj1`));
  const out = linear(g, w, h, `${P}.proj2`);
  g.op('Identity', [out], {}, ENCODER_IO.out);
  g.output(ENCODER_IO.out, DType.float, ['windows', windowTokens, a.outputDim]);
}
