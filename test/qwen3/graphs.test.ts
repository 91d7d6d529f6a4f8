import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Qwen3Aligner } from '../../region-backend/engines/qwen3/aligner.ts';
import { DECODER_IO } from '../../region-backend/engines/qwen3/decoder-graph.ts';
import { ENCODER_IO } from '../../region-backend/engines/qwen3/encoder-graph.ts';
import { planEncoderRuns } from '../../region-backend/engines/qwen3/encoder-plan.ts';
import { buildGraphs, currentBuild } from '../../region-backend/engines/qwen3/graph-build.ts';
import { readAlignerConfig } from '../../region-backend/engines/qwen3/model-config.ts';
import { UnitTokenizer } from '../../region-backend/engines/qwen3/tokenizer.ts';
import {
  caseAudio,
  checkpointDir,
  fixtureRoot,
  maxAbsDiff,
  readCase,
  readTensor,
  SINGLE_CASES,
  tempDir,
} from './fixture.ts';

const tmp = tempDir('falign-qwen3-graphs-');
const cfg = readAlignerConfig(checkpointDir);
let aligner: Qwen3Aligner;

beforeAll(async () => {
  // Debug graphs also output the intermediate tensors the reference stored.
  await buildGraphs({ modelDir: checkpointDir, outDir: tmp.dir, debug: true });
  aligner = await Qwen3Aligner.open(cfg, new UnitTokenizer(checkpointDir), tmp.dir, 'cpu', 2);
});
afterAll(async () => {
  await aligner?.close();
  tmp.cleanup();
});

/** Valid encoder rows of one clip from a [windows, slots, dim] output. */
function gatherRows(data: Float32Array, slots: number[], dim: number): Float32Array {
  const out = new Float32Array(slots.length * dim);
  slots.forEach((s, i) => {
    out.set(data.subarray(s * dim, (s + 1) * dim), i * dim);
  });
  return out;
}

async function runEncoderDebug(name: string) {
  const c = readCase(name);
  const [run] = planEncoderRuns(
    [{ features: readTensor(`cases/${name}/mel.bin`), frames: c.n_frames }],
    128,
    100,
    8,
  );
  const r = await aligner.encoder.run({
    [ENCODER_IO.features]: new ort.Tensor('float32', run!.features, [
      run!.chunks,
      128,
      run!.frames,
    ]),
    [ENCODER_IO.tokenIndex]: new ort.Tensor('int64', run!.tokenIndex, [run!.tokenIndex.length]),
    [ENCODER_IO.keyBias]: new ort.Tensor('float32', run!.keyBias, [run!.windows, 1, 1, 104]),
  });
  const slots = run!.clips[0]!.slots;
  const convPos = r[ENCODER_IO.convPos]!.data as Float32Array;
  // conv_pos is per chunk [chunks, 13, dim]: the valid tokens are the window slots' sources.
  const tokenRows = Array.from(
    run!.tokenIndex.filter((_, k) => run!.keyBias[k] === 0),
    Number,
  );
  return {
    convPos: gatherRows(convPos, tokenRows, 32),
    layer0: gatherRows(r[ENCODER_IO.layer0]!.data as Float32Array, slots, 32),
    out: gatherRows(r[ENCODER_IO.out]!.data as Float32Array, slots, 32),
  };
}

async function runDecoderDebug(name: string) {
  const c = readCase(name);
  const enc = readTensor(`cases/${name}/encoder_out.bin`);
  const n = c.n_audio_tokens;
  const r = await aligner.decoder.run({
    [DECODER_IO.inputIds]: new ort.Tensor('int64', BigInt64Array.from(c.input_ids, BigInt), [
      1,
      c.input_ids.length,
    ]),
    [DECODER_IO.audioEmbeds]: new ort.Tensor('float32', enc, [n, 32]),
    [DECODER_IO.audioIndex]: new ort.Tensor(
      'int64',
      BigInt64Array.from(Array.from({ length: n }, (_, i) => [0n, BigInt(1 + i)]).flat()),
      [n, 2],
    ),
    [DECODER_IO.slotIndex]: new ort.Tensor(
      'int64',
      BigInt64Array.from(c.timestamp_positions, BigInt),
      [c.timestamp_positions.length],
    ),
  });
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data])) as Record<
    string,
    Float32Array
  >;
}

describe('ONNX graphs built from the fixture checkpoint', () => {
  it('records a current build that a later check accepts', () => {
    expect(currentBuild(checkpointDir, tmp.dir, { debug: true })).not.toBeNull();
    expect(currentBuild(checkpointDir, tmp.dir, { debug: false })).toBeNull();
  });
  for (const name of SINGLE_CASES) {
    it(`${name}: encoder stages from mel.bin within 1e-4`, async () => {
      const e = await runEncoderDebug(name);
      expect(
        maxAbsDiff(e.convPos, readTensor(`cases/${name}/enc_conv_pos.bin`)),
      ).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(e.layer0, readTensor(`cases/${name}/enc_layer0.bin`))).toBeLessThanOrEqual(
        1e-4,
      );
      expect(maxAbsDiff(e.out, readTensor(`cases/${name}/encoder_out.bin`))).toBeLessThanOrEqual(
        1e-4,
      );
    });
    it(`${name}: decoder stages and logits from encoder_out.bin`, async () => {
      const c = readCase(name);
      const d = await runDecoderDebug(name);
      expect(
        maxAbsDiff(d[DECODER_IO.inputsEmbeds]!, readTensor(`cases/${name}/dec_inputs_embeds.bin`)),
      ).toBeLessThanOrEqual(1e-4);
      expect(
        maxAbsDiff(d[DECODER_IO.layer0]!, readTensor(`cases/${name}/dec_layer0.bin`)),
      ).toBeLessThanOrEqual(1e-4);
      expect(
        maxAbsDiff(d[DECODER_IO.finalHidden]!, readTensor(`cases/${name}/dec_final_hidden.bin`)),
      ).toBeLessThanOrEqual(1e-4);
      expect(
        maxAbsDiff(d[DECODER_IO.logits]!, readTensor(`cases/${name}/logits_ts.bin`)),
      ).toBeLessThanOrEqual(1e-3);
      expect(Array.from(d[DECODER_IO.classes]! as unknown as BigInt64Array, Number)).toEqual(
        c.classes,
      );
    });
    it(`${name}: classes exact end to end from the WAV`, async () => {
      const c = readCase(name);
      const [r] = await aligner.forward([
        { samples: caseAudio(name), unitTokenIds: c.unit_token_ids },
      ]);
      expect(r!.classes).toEqual(c.classes);
      for (const p of r!.confidence) expect(p).toBeGreaterThan(0);
    });
  }
  it('fp16 weight storage (float32 compute) keeps the classes', async () => {
    const dir = tempDir('falign-qwen3-fp16-');
    try {
      await buildGraphs({ modelDir: checkpointDir, outDir: dir.dir, dtype: 'fp16' });
      const half = await Qwen3Aligner.open(
        cfg,
        new UnitTokenizer(checkpointDir),
        dir.dir,
        'cpu',
        2,
      );
      const c = readCase('en_3s');
      const [r] = await half.forward([
        { samples: caseAudio('en_3s'), unitTokenIds: c.unit_token_ids },
      ]);
      await half.close();
      expect(r!.classes).toEqual(c.classes);
    } finally {
      dir.cleanup();
    }
  });
  it('batch case: both clips in one pass give the batched reference', async () => {
    const batch = JSON.parse(
      (await import('node:fs')).readFileSync(
        join(fixtureRoot, 'cases/batch_en_3s_en_11s/case.json'),
        'utf8',
      ),
    ) as { items: { name?: string; classes: number[] }[] };
    const cases = SINGLE_CASES.map(readCase);
    const samples = SINGLE_CASES.map(caseAudio);
    const mels = samples.map((s) => ({
      features: aligner.mel.extract(s),
      frames: aligner.mel.frameCount(s.length),
    }));
    const enc = await aligner.encode(mels);
    for (const [i, e] of enc.entries()) {
      expect(
        maxAbsDiff(e, readTensor(`cases/batch_en_3s_en_11s/encoder_out_item${i}.bin`)),
      ).toBeLessThanOrEqual(1e-4);
    }
    const r = await aligner.forward(
      cases.map((c, i) => ({ samples: samples[i]!, unitTokenIds: c.unit_token_ids })),
    );
    expect(r.map((x) => x.classes)).toEqual(batch.items.map((it) => it.classes));
  });
});
