import type { Qwen3AlignerConfig } from './model-config.ts';
import { DType, type GraphBuilder, scalarTensor } from './onnx-graph.ts';
import type { WeightStore } from './weight-store.ts';

/** Names of the decoder graph's inputs and outputs. */
export const DECODER_IO = {
  /** [batch, seq] int64, right-padded (causal attention keeps padding out of real rows). */
  inputIds: 'input_ids',
  /** [audio_rows, hidden]: encoder output rows that replace the audio-pad embeddings. */
  audioEmbeds: 'audio_embeds',
  /** [audio_rows, 2] int64: (batch row, position) of each audio pad. */
  audioIndex: 'audio_index',
  /** [slots] int64: batch * seq flat index of each <timestamp> position. */
  slotIndex: 'slot_index',
  /** [slots] int64: argmax class per slot. */
  classes: 'classes',
  /** [slots]: head probability within one class of the argmax (80 ms either side). */
  confidence: 'confidence',
  /** Debug outputs. */
  logits: 'logits',
  inputsEmbeds: 'inputs_embeds',
  layer0: 'dec_layer0',
  finalHidden: 'final_hidden',
} as const;

const P = 'thinker.model';

/** RoPE inverse frequencies as the reference computes them (float32 pow of theta). */
export function ropeInverseFrequencies(headDim: number, theta: number): Float32Array {
  const inv = new Float32Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) {
    inv[i] = Math.fround(1 / Math.fround(theta ** Math.fround((2 * i) / headDim)));
  }
  return inv;
}

/**
 * Qwen3 decoder over the aligner prompt: token embeddings with the audio rows scattered in,
 * `layers` blocks (RMSNorm, GQA attention with per-head q/k RMSNorm and rotate-half RoPE at
 * positions 0..L-1, causal; RMSNorm, SwiGLU), final RMSNorm, then the classification head only
 * at the <timestamp> slots: argmax and a confidence, never the full [L, vocab] logits.
 */
export function buildDecoderGraph(
  g: GraphBuilder,
  w: WeightStore,
  cfg: Qwen3AlignerConfig,
  debug: boolean,
): void {
  const t = cfg.text;
  const ids = g.input(DECODER_IO.inputIds, DType.int64, ['batch', 'seq']);
  const audio = g.input(DECODER_IO.audioEmbeds, DType.float, ['audio_rows', t.hidden]);
  const audioIndex = g.input(DECODER_IO.audioIndex, DType.int64, ['audio_rows', 2]);
  const slotIndex = g.input(DECODER_IO.slotIndex, DType.int64, ['slots']);

  const embeds = g.op('Gather', [w.tensor(`${P}.embed_tokens.weight`), ids], { axis: 0 });
  let h = g.op(
    'ScatterND',
    [embeds, audioIndex, audio],
    {},
    debug ? DECODER_IO.inputsEmbeds : undefined,
  );
  if (debug) g.output(DECODER_IO.inputsEmbeds, DType.float, ['batch', 'seq', t.hidden]);

  // cos/sin [1, seq, 1, head_dim] for positions 0..seq-1.
  const seq = g.op('Gather', [g.op('Shape', [ids]), g.constInt64([1], [])], { axis: 0 });
  const seqF = g.op('Cast', [seq], { to: DType.float });
  const positions = g.op('Range', [g.constFloat([0], []), seqF, g.constFloat([1], [])]);
  const inv = g.constFloat(
    ropeInverseFrequencies(t.headDim, t.ropeTheta),
    [1, t.headDim / 2],
    'rope_inv',
  );
  const freqs = g.op('Mul', [g.op('Unsqueeze', [positions, g.constInt64([1])]), inv]);
  const emb = g.op('Concat', [freqs, freqs], { axis: -1 });
  const ropeShape = g.constInt64([1, -1, 1, t.headDim]);
  const cos = g.op('Reshape', [g.op('Cos', [emb]), ropeShape]);
  const sin = g.op('Reshape', [g.op('Sin', [emb]), ropeShape]);
  const halfSplit = g.constInt64([t.headDim / 2, t.headDim / 2]);
  const rope = (x: string) => {
    const [x1, x2] = g.node('Split', [x, halfSplit], { axis: -1 }, { outputs: 2 }) as [
      string,
      string,
    ];
    const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: -1 });
    return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
  };

  // Causal mask [seq, seq]: 0 on and below the diagonal, float32 min above (as transformers).
  const seqSquare = g.op(
    'Concat',
    [g.op('Unsqueeze', [seq, g.constInt64([0])]), g.op('Unsqueeze', [seq, g.constInt64([0])])],
    {
      axis: 0,
    },
  );
  const full = g.op('ConstantOfShape', [seqSquare], {
    value: scalarTensor(-3.4028234663852886e38),
  });
  const causal = g.op('Trilu', [full, g.constInt64([1], [])], { upper: 1 });

  const rms = (x: string, weight: string) =>
    g.op('RMSNormalization', [x, w.tensor(weight)], { axis: -1, epsilon: { float: t.rmsNormEps } });
  const scale = g.constFloat([t.headDim ** -0.5], [], 'attn_scale');
  const group = t.heads / t.kvHeads;
  const qShape = g.constInt64([0, 0, t.heads, t.headDim]);
  const kvShape = g.constInt64([0, 0, t.kvHeads, t.headDim]);
  const merge = g.constInt64([0, 0, t.heads * t.headDim]);
  const shape = g.op('Shape', [ids]);
  const batch = g.op('Slice', [shape, g.constInt64([0]), g.constInt64([1])]);
  const seq1 = g.op('Slice', [shape, g.constInt64([1]), g.constInt64([2])]);
  const expandShape = g.op(
    'Concat',
    [batch, g.constInt64([t.kvHeads, group]), seq1, g.constInt64([t.headDim])],
    {
      axis: 0,
    },
  );
  const groupedShape = g.constInt64([0, t.heads, -1, t.headDim]);
  const repeatKv = (x: string) =>
    group === 1
      ? x
      : g.op('Reshape', [
          g.op('Expand', [g.op('Unsqueeze', [x, g.constInt64([2])]), expandShape]),
          groupedShape,
        ]);

  for (let l = 0; l < t.layers; l++) {
    const p = `${P}.layers.${l}`;
    const hn = rms(h, `${p}.input_layernorm.weight`);
    const q = rope(
      rms(
        g.op('Reshape', [g.op('MatMul', [hn, w.linear(`${p}.self_attn.q_proj.weight`)]), qShape]),
        `${p}.self_attn.q_norm.weight`,
      ),
    );
    const k = rope(
      rms(
        g.op('Reshape', [g.op('MatMul', [hn, w.linear(`${p}.self_attn.k_proj.weight`)]), kvShape]),
        `${p}.self_attn.k_norm.weight`,
      ),
    );
    const v = g.op('Reshape', [
      g.op('MatMul', [hn, w.linear(`${p}.self_attn.v_proj.weight`)]),
      kvShape,
    ]);
    const qh = g.op('Transpose', [q], { perm: [0, 2, 1, 3] });
    const kh = repeatKv(g.op('Transpose', [k], { perm: [0, 2, 1, 3] }));
    const vh = repeatKv(g.op('Transpose', [v], { perm: [0, 2, 1, 3] }));
    const scores = g.op('Add', [
      g.op('Mul', [g.op('MatMul', [qh, g.op('Transpose', [kh], { perm: [0, 1, 3, 2] })]), scale]),
      causal,
    ]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    let ctx = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] });
    ctx = g.op('Reshape', [ctx, merge]);
    h = g.op('Add', [h, g.op('MatMul', [ctx, w.linear(`${p}.self_attn.o_proj.weight`)])]);
    const mn = rms(h, `${p}.post_attention_layernorm.weight`);
    const gate = g.op('MatMul', [mn, w.linear(`${p}.mlp.gate_proj.weight`)]);
    const up = g.op('MatMul', [mn, w.linear(`${p}.mlp.up_proj.weight`)]);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    const down = g.op('MatMul', [act, w.linear(`${p}.mlp.down_proj.weight`)]);
    h = g.op('Add', [h, down], {}, debug && l === 0 ? DECODER_IO.layer0 : undefined);
    if (debug && l === 0) g.output(DECODER_IO.layer0, DType.float, ['batch', 'seq', t.hidden]);
  }
  const final = g.op(
    'RMSNormalization',
    [h, w.tensor(`${P}.norm.weight`)],
    { axis: -1, epsilon: { float: t.rmsNormEps } },
    debug ? DECODER_IO.finalHidden : undefined,
  );
  if (debug) g.output(DECODER_IO.finalHidden, DType.float, ['batch', 'seq', t.hidden]);

  const rows = g.op('Reshape', [final, g.constInt64([-1, t.hidden])]);
  const slots = g.op('Gather', [rows, slotIndex], { axis: 0 });
  const logits = g.op(
    'MatMul',
    [slots, w.linear('thinker.lm_head.weight')],
    {},
    debug ? DECODER_IO.logits : undefined,
  );
  if (debug) g.output(DECODER_IO.logits, DType.float, ['slots', cfg.classifyNum]);
  const classes = g.op('ArgMax', [logits], { axis: 1, keepdims: 0 }, DECODER_IO.classes);
  g.output(DECODER_IO.classes, DType.int64, ['slots']);
  // Probability mass within one class (80 ms) of the argmax: the head spreads its belief over
  // neighbouring frames, so the single top probability understates a confident boundary.
  const probs = g.op('Unsqueeze', [g.op('Softmax', [logits], { axis: -1 }), g.constInt64([1])]);
  const windowSum = g.op('Conv', [probs, g.constFloat([1, 1, 1], [1, 1, 3], 'ones3')], {
    kernel_shape: [3],
    pads: [1, 1],
  });
  const flatSums = g.op('Reshape', [windowSum, g.constInt64([0, -1])]);
  const picked = g.op(
    'GatherElements',
    [flatSums, g.op('Unsqueeze', [classes, g.constInt64([1])])],
    { axis: 1 },
  );
  g.op('Reshape', [picked, g.constInt64([-1])], {}, DECODER_IO.confidence);
  g.output(DECODER_IO.confidence, DType.float, ['slots']);
}
