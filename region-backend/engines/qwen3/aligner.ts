import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DECODER_IO } from './decoder-graph.ts';
import { ENCODER_IO } from './encoder-graph.ts';
import { planEncoderRuns, windowSegments } from './encoder-plan.ts';
import { DECODER_FILE, ENCODER_FILE } from './graph-build.ts';
import { LogMelExtractor } from './log-mel.ts';
import { audioTokenCount, type Qwen3AlignerConfig } from './model-config.ts';
import { buildPrompt } from './prompt.ts';
import { type DeviceChoice, type ExecutionDevice, openSession } from './sessions.ts';
import type { UnitTokenizer } from './tokenizer.ts';

/** One clip and its units' token ids, for one forward pass. */
export interface ForwardItem {
  samples: Float32Array;
  unitTokenIds: readonly (readonly number[])[];
}

/** What one forward pass gives per clip: a class and a confidence for every slot. */
export interface ForwardResult {
  /** Head classes at the <timestamp> slots (start, end per unit). */
  classes: number[];
  confidence: number[];
  audioTokens: number;
}

/** Attention windows (8 s of audio each) per encoder run: bounds the convolutions' memory. */
const WINDOWS_PER_RUN = 8;

/** Pad id for right-padding the batch (never attended to by real rows: attention is causal). */
const PAD_ID = 151643n;

/**
 * The model proper on onnxruntime: log-mel, encoder and decoder graphs, one batched pass per
 * call. Padding never changes a clip's result: encoder windows never mix clips, the decoder
 * is right-padded under a causal mask.
 */
export class Qwen3Aligner {
  private constructor(
    readonly cfg: Qwen3AlignerConfig,
    readonly tokenizer: UnitTokenizer,
    readonly encoder: ort.InferenceSession,
    readonly decoder: ort.InferenceSession,
    readonly device: ExecutionDevice,
    readonly mel: LogMelExtractor,
  ) {}

  static async open(
    cfg: Qwen3AlignerConfig,
    tokenizer: UnitTokenizer,
    graphDir: string,
    device: DeviceChoice,
    threads: number,
  ): Promise<Qwen3Aligner> {
    const enc = await openSession(join(graphDir, ENCODER_FILE), device, threads);
    const dec = await openSession(join(graphDir, DECODER_FILE), enc.device, threads);
    const mel = new LogMelExtractor({
      nFft: 400,
      hop: 160,
      nMels: cfg.audio.numMelBins,
      sampleRate: 16_000,
    });
    return new Qwen3Aligner(cfg, tokenizer, enc.session, dec.session, enc.device, mel);
  }

  /**
   * Encoder output rows [tokens, output_dim] for each clip's features [nMels, frames]. Clips
   * are cut into one-window segments, run `WINDOWS_PER_RUN` windows at a time: the same rows
   * as whole clips, with the convolutions' activations bounded whatever the batch.
   */
  async encode(
    mels: readonly { features: Float32Array; frames: number }[],
  ): Promise<Float32Array[]> {
    const a = this.cfg.audio;
    const d = a.outputDim;
    const segments = windowSegments(mels, a.numMelBins, a.chunkFrames, a.chunksPerWindow);
    const rows: Float32Array[] = new Array(segments.length);
    for (let s0 = 0; s0 < segments.length; s0 += WINDOWS_PER_RUN) {
      const group = segments.slice(s0, s0 + WINDOWS_PER_RUN);
      for (const run of planEncoderRuns(group, a.numMelBins, a.chunkFrames, a.chunksPerWindow)) {
        const windowTokens = run.keyBias.length / run.windows;
        const shape = [run.chunks, a.numMelBins, run.frames];
        const result = await this.encoder.run(
          {
            [ENCODER_IO.features]: new ort.Tensor('float32', run.features, shape),
            [ENCODER_IO.tokenIndex]: new ort.Tensor('int64', run.tokenIndex, [
              run.tokenIndex.length,
            ]),
            [ENCODER_IO.keyBias]: new ort.Tensor('float32', run.keyBias, [
              run.windows,
              1,
              1,
              windowTokens,
            ]),
          },
          [ENCODER_IO.out],
        );
        const data = result[ENCODER_IO.out]!.data as Float32Array;
        for (const { clip, slots } of run.clips) {
          const part = new Float32Array(slots.length * d);
          slots.forEach((s, i) => {
            part.set(data.subarray(s * d, (s + 1) * d), i * d);
          });
          rows[s0 + clip] = part;
        }
        for (const t of Object.values(result)) t.dispose();
      }
    }
    return mels.map((_, clip) => {
      const parts = rows.filter((_, k) => segments[k]!.clip === clip);
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    });
  }

  /** Runs the decoder over a batch of prompts with their encoder rows. */
  async decode(
    items: readonly { audio: Float32Array; unitTokenIds: readonly (readonly number[])[] }[],
  ): Promise<{ classes: number[]; confidence: number[] }[]> {
    const t = this.cfg.text;
    const prompts = items.map((it) =>
      buildPrompt(this.cfg, it.audio.length / t.hidden, it.unitTokenIds),
    );
    const seq = Math.max(...prompts.map((p) => p.inputIds.length));
    const ids = new BigInt64Array(items.length * seq).fill(PAD_ID);
    const audioRows = prompts.reduce((s, p) => s + p.audioTokens, 0);
    const audio = new Float32Array(audioRows * t.hidden);
    const audioIndex = new BigInt64Array(audioRows * 2);
    const slotIndex: bigint[] = [];
    let row = 0;
    prompts.forEach((p, b) => {
      p.inputIds.forEach((id, i) => {
        ids[b * seq + i] = BigInt(id);
      });
      audio.set(items[b]!.audio, row * t.hidden);
      for (let i = 0; i < p.audioTokens; i++, row++) {
        audioIndex[row * 2] = BigInt(b);
        audioIndex[row * 2 + 1] = BigInt(p.audioStart + i);
      }
      for (const s of p.slots) slotIndex.push(BigInt(b * seq + s));
    });
    const result = await this.decoder.run(
      {
        [DECODER_IO.inputIds]: new ort.Tensor('int64', ids, [items.length, seq]),
        [DECODER_IO.audioEmbeds]: new ort.Tensor('float32', audio, [audioRows, t.hidden]),
        [DECODER_IO.audioIndex]: new ort.Tensor('int64', audioIndex, [audioRows, 2]),
        [DECODER_IO.slotIndex]: new ort.Tensor('int64', BigInt64Array.from(slotIndex), [
          slotIndex.length,
        ]),
      },
      [DECODER_IO.classes, DECODER_IO.confidence],
    );
    const classes = result[DECODER_IO.classes]!.data as BigInt64Array;
    const conf = result[DECODER_IO.confidence]!.data as Float32Array;
    const out: { classes: number[]; confidence: number[] }[] = [];
    let k = 0;
    for (const p of prompts) {
      const n = p.slots.length;
      out.push({
        classes: Array.from(classes.subarray(k, k + n), Number),
        confidence: Array.from(conf.subarray(k, k + n)),
      });
      k += n;
    }
    for (const v of Object.values(result)) v.dispose();
    return out;
  }

  /** Log-mel, encoder and decoder for a batch of clips: one pass, no chunking of long audio. */
  async forward(items: readonly ForwardItem[]): Promise<ForwardResult[]> {
    const mels: { features: Float32Array; frames: number }[] = [];
    for (const it of items) {
      mels.push({
        features: this.mel.extract(it.samples),
        frames: this.mel.frameCount(it.samples.length),
      });
      // The front end runs on the event loop: let other work (HTTP, health checks) in between clips.
      await new Promise((r) => setImmediate(r));
    }
    const encoded = await this.encode(mels);
    const decoded = await this.decode(
      items.map((it, i) => ({ audio: encoded[i]!, unitTokenIds: it.unitTokenIds })),
    );
    return decoded.map((d, i) => ({
      ...d,
      audioTokens: audioTokenCount(mels[i]!.frames, this.cfg.audio.chunkFrames),
    }));
  }

  async close(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }
}
