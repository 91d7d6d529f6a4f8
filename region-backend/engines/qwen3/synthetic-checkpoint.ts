import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseAlignerConfig, tokensPerChunk } from './model-config.ts';

/** One tensor of the checkpoint layout: name, shape, and how to fill it. */
interface TensorSpec {
  name: string;
  shape: number[];
  fill: 'ones' | 'zeros' | 'random';
}

/** Every tensor a Qwen3-ForcedAligner checkpoint holds, with the shapes its config implies. */
export function checkpointLayout(rawConfig: Record<string, unknown>): TensorSpec[] {
  const cfg = parseAlignerConfig(rawConfig);
  const a = cfg.audio;
  const t = cfg.text;
  const specs: TensorSpec[] = [];
  const lin = (name: string, out: number, inp: number, bias: boolean) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], fill: 'random' });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], fill: 'zeros' });
  };
  const norm = (name: string, dim: number, bias: boolean) => {
    specs.push({ name: `${name}.weight`, shape: [dim], fill: 'ones' });
    if (bias) specs.push({ name: `${name}.bias`, shape: [dim], fill: 'zeros' });
  };
  const A = 'thinker.audio_tower';
  const H = a.downsampleHidden;
  specs.push({ name: `${A}.conv2d1.weight`, shape: [H, 1, 3, 3], fill: 'random' });
  specs.push({ name: `${A}.conv2d1.bias`, shape: [H], fill: 'zeros' });
  for (const c of ['conv2d2', 'conv2d3']) {
    specs.push({ name: `${A}.${c}.weight`, shape: [H, H, 3, 3], fill: 'random' });
    specs.push({ name: `${A}.${c}.bias`, shape: [H], fill: 'zeros' });
  }
  lin(`${A}.conv_out`, a.dModel, H * tokensPerChunk(a.numMelBins), false);
  for (let l = 0; l < a.layers; l++) {
    const p = `${A}.layers.${l}`;
    for (const x of ['q_proj', 'k_proj', 'v_proj', 'out_proj'])
      lin(`${p}.self_attn.${x}`, a.dModel, a.dModel, true);
    norm(`${p}.self_attn_layer_norm`, a.dModel, true);
    lin(`${p}.fc1`, a.ffnDim, a.dModel, true);
    lin(`${p}.fc2`, a.dModel, a.ffnDim, true);
    norm(`${p}.final_layer_norm`, a.dModel, true);
  }
  norm(`${A}.ln_post`, a.dModel, true);
  lin(`${A}.proj1`, a.dModel, a.dModel, true);
  lin(`${A}.proj2`, a.outputDim, a.dModel, true);
  const M = 'thinker.model';
  specs.push({ name: `${M}.embed_tokens.weight`, shape: [t.vocabSize, t.hidden], fill: 'random' });
  for (let l = 0; l < t.layers; l++) {
    const p = `${M}.layers.${l}`;
    norm(`${p}.input_layernorm`, t.hidden, false);
    norm(`${p}.post_attention_layernorm`, t.hidden, false);
    lin(`${p}.self_attn.q_proj`, t.heads * t.headDim, t.hidden, false);
    lin(`${p}.self_attn.k_proj`, t.kvHeads * t.headDim, t.hidden, false);
    lin(`${p}.self_attn.v_proj`, t.kvHeads * t.headDim, t.hidden, false);
    lin(`${p}.self_attn.o_proj`, t.hidden, t.heads * t.headDim, false);
    norm(`${p}.self_attn.q_norm`, t.headDim, false);
    norm(`${p}.self_attn.k_norm`, t.headDim, false);
    lin(`${p}.mlp.gate_proj`, t.intermediate, t.hidden, false);
    lin(`${p}.mlp.up_proj`, t.intermediate, t.hidden, false);
    lin(`${p}.mlp.down_proj`, t.hidden, t.intermediate, false);
  }
  norm(`${M}.norm`, t.hidden, false);
  lin('thinker.lm_head', cfg.classifyNum, t.hidden, false);
  return specs;
}

/** GPT-2's byte -> printable character map, the byte-level BPE alphabet (ids 0..255). */
export function byteLevelAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map = new Array<string>(256);
  let extra = 0;
  const order: number[] = [...printable];
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) order.push(b);
  for (const b of order) {
    map[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return map;
}

/**
 * Writes a checkpoint with the real layout and random BF16 weights (uniform, std 0.02) to
 * `dir`: config.json, model.safetensors, and a byte-level tokenizer (vocab.json, merges.txt,
 * tokenizer_config.json) with the special tokens at the config's ids. For benchmarking the
 * real compute cost without the real weights; its timings mean nothing.
 */
export function writeSyntheticCheckpoint(
  configPath: string,
  dir: string,
  seed = 1,
): { bytes: number; tensors: number } {
  const rawConfig = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const cfg = parseAlignerConfig(rawConfig);
  const specs = checkpointLayout(rawConfig);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(rawConfig, null, 2)}\n`);

  const header: Record<string, unknown> = {
    __metadata__: { format: 'pt', falign: 'synthetic random weights' },
  };
  let offset = 0;
  for (const s of specs) {
    const bytes = s.shape.reduce((x, y) => x * y, 1) * 2;
    header[s.name] = { dtype: 'BF16', shape: s.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (headerText.length % 8)) % 8);
  const fd = openSync(join(dir, 'model.safetensors'), 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(Buffer.byteLength(headerText)));
    writeSync(fd, len);
    writeSync(fd, headerText);
    let state = seed >>> 0 || 1;
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const amp = 0.02 * Math.sqrt(3);
    const one = 0x3f80;
    for (const s of specs) {
      const n = s.shape.reduce((x, y) => x * y, 1);
      const chunk = new Uint16Array(Math.min(n, 1 << 22));
      for (let done = 0; done < n; done += chunk.length) {
        const m = Math.min(chunk.length, n - done);
        for (let i = 0; i < m; i++) {
          if (s.fill === 'random') {
            state ^= state << 13;
            state ^= state >>> 17;
            state ^= state << 5;
            f32[0] = ((state >>> 0) / 4294967296 - 0.5) * 2 * amp;
            chunk[i] = u32[0]! >>> 16;
          } else chunk[i] = s.fill === 'ones' ? one : 0;
        }
        writeSync(fd, new Uint8Array(chunk.buffer, 0, m * 2));
      }
    }
  } finally {
    closeSync(fd);
  }

  const alphabet = byteLevelAlphabet();
  const vocab: Record<string, number> = {};
  alphabet.forEach((ch, i) => {
    vocab[ch] = i;
  });
  const specials: Record<string, number> = {
    '<|endoftext|>': 151643,
    '<|audio_start|>': cfg.audioStartTokenId,
    '<|audio_end|>': cfg.audioEndTokenId,
    '<|audio_pad|>': cfg.audioTokenId,
    '<timestamp>': cfg.timestampTokenId,
  };
  Object.assign(vocab, specials);
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'Qwen2Tokenizer',
      added_tokens_decoder: Object.fromEntries(
        Object.entries(specials).map(([content, id]) => [String(id), { content, special: true }]),
      ),
    }),
  );
  writeFileSync(
    join(dir, 'preprocessor_config.json'),
    JSON.stringify({
      feature_extractor_type: 'WhisperFeatureExtractor',
      feature_size: cfg.audio.numMelBins,
      hop_length: 160,
      n_fft: 400,
      sampling_rate: 16000,
    }),
  );
  return { bytes: offset, tensors: specs.length };
}
