import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixTimestamps } from '../../region-backend/engines/qwen3/fix-timestamp.ts';
import {
  createQwen3Engine,
  ModelDirError,
  type Qwen3Engine,
} from '../../region-backend/engines/qwen3/index.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { caseAudio, linkedModelDir, readCase, SINGLE_CASES, tempDir } from './fixture.ts';

const tmp = tempDir('falign-qwen3-engine-');
let modelDir: string;
let engine: Qwen3Engine;

beforeAll(async () => {
  modelDir = linkedModelDir(tmp.dir);
  engine = await createQwen3Engine({ modelDir, device: 'cpu', threads: 2, maxBatchSize: 4 });
});
afterAll(async () => {
  await engine?.close();
  tmp.cleanup();
});

describe('createQwen3Engine', () => {
  it('builds the graphs beside the weights on first use and names the model', () => {
    expect(existsSync(join(modelDir, 'onnx', 'encoder.onnx'))).toBe(true);
    expect(engine.info.name).toBe('qwen3');
    expect(engine.info.model).toBe('model');
    expect(engine.info.revision).toMatch(/^sha256:[0-9a-f]{16}$/);
  });
  it('without a model directory, says which commands to run', async () => {
    const err = await createQwen3Engine({ device: 'cpu', threads: 1, maxBatchSize: 1 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ModelDirError);
    expect(err.message).toContain('falign model pull');
    expect(err.message).toContain('falign model build');
  });
  it('with an incomplete directory, names the missing files and the commands', async () => {
    const partial = linkedModelDir(join(tmp.dir, 'partial'), ['config.json', 'tokenizer.json']);
    const err = await createQwen3Engine({
      modelDir: partial,
      device: 'cpu',
      threads: 1,
      maxBatchSize: 1,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelDirError);
    expect(err.message).toContain('model.safetensors');
    expect(err.message).toContain(
      `falign model pull --repo Qwen/Qwen3-ForcedAligner-0.6B --dir ${partial}`,
    );
  });
});

describe('qwen3 engine on the fixture checkpoint', () => {
  for (const name of SINGLE_CASES) {
    it(`${name}: alignRaw returns the official items exactly`, async () => {
      const c = readCase(name);
      expect(await engine.alignRaw(caseAudio(name), c.text, c.language)).toEqual(c.items);
    });
  }
  it('alignBatch: one timing per unit, seconds, confidence in 0..1, repaired units interpolated', async () => {
    const cases = SINGLE_CASES.map(readCase);
    const items = cases.map((c, i) => ({
      samples: caseAudio(SINGLE_CASES[i]!),
      text: c.text,
      language: c.language,
      units: unitsFor(c.text, c.language),
    }));
    const out = await engine.alignBatch(items);
    expect(out.map((r) => r.length)).toEqual(cases.map((c) => c.units.length));
    for (const [i, c] of cases.entries()) {
      const { repaired } = fixTimestamps(c.timestamp_ms_raw);
      out[i]!.forEach((t, u) => {
        expect(t.start).toBe(c.items[u]!.start_time);
        expect(t.end).toBe(c.items[u]!.end_time);
        expect(t.confidence).toBeGreaterThanOrEqual(0);
        expect(t.confidence).toBeLessThanOrEqual(1);
        const wasRepaired = repaired[2 * u] || repaired[2 * u + 1];
        if (wasRepaired) expect(t.status).toBe('interpolated');
      });
    }
  });
  it('alignBatch: the same clip alone and in a batch gives the same times', async () => {
    const c = readCase('en_3s');
    const item = {
      samples: caseAudio('en_3s'),
      text: c.text,
      language: c.language,
      units: unitsFor(c.text, c.language),
    };
    const [alone] = await engine.alignBatch([item]);
    const batched = await engine.alignBatch([
      item,
      { ...item, samples: caseAudio('en_11s') },
      item,
    ]);
    expect(batched[0]!.map((t) => [t.start, t.end])).toEqual(alone!.map((t) => [t.start, t.end]));
    expect(batched[2]).toEqual(batched[0]);
  });
  it('alignBatch: no units gives no timings; audio under 10 ms is refused', async () => {
    const [r] = await engine.alignBatch([
      { samples: new Float32Array(16000), text: '...', language: 'English', units: [] },
    ]);
    expect(r).toEqual([]);
    await expect(
      engine.alignBatch([
        {
          samples: new Float32Array(10),
          text: 'hi',
          language: 'English',
          units: unitsFor('hi', 'English'),
        },
      ]),
    ).rejects.toThrow(/shorter than 10 ms/);
  });
  it('long audio: pieces within the limit, every unit timed, offsets added', async () => {
    const short = await createQwen3Engine({
      modelDir,
      device: 'cpu',
      threads: 2,
      maxBatchSize: 4,
      maxPieceSeconds: 4,
    });
    try {
      const c = readCase('en_11s');
      const units = unitsFor(c.text, c.language);
      const [r] = await short.alignBatch([
        { samples: caseAudio('en_11s'), text: c.text, language: c.language, units },
      ]);
      expect(r).toHaveLength(units.length);
      for (const t of r!) {
        expect(Number.isFinite(t.start) && Number.isFinite(t.end)).toBe(true);
        expect(t.end).toBeGreaterThanOrEqual(t.start);
      }
      // Units of later pieces carry those pieces' offsets.
      expect(r![r!.length - 1]!.start).toBeGreaterThan(4);
    } finally {
      await short.close();
    }
  });
});
