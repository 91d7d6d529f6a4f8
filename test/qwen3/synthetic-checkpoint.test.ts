import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createQwen3Engine } from '../../region-backend/engines/qwen3/index.ts';
import { SafetensorsFile } from '../../region-backend/engines/qwen3/safetensors.ts';
import { writeSyntheticCheckpoint } from '../../region-backend/engines/qwen3/synthetic-checkpoint.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { caseAudio, checkpointDir, tempDir } from './fixture.ts';

const tmp = tempDir('falign-qwen3-synth-');
afterAll(tmp.cleanup);

describe('synthetic checkpoint (falign model synth)', () => {
  const dir = join(tmp.dir, 'synth');
  writeSyntheticCheckpoint(join(checkpointDir, 'config.json'), dir);

  it('has exactly the tensor names, shapes and dtype of a real checkpoint of that config', () => {
    const real = new SafetensorsFile(join(checkpointDir, 'model.safetensors'));
    const synth = new SafetensorsFile(join(dir, 'model.safetensors'));
    try {
      expect([...synth.entries.keys()].sort()).toEqual([...real.entries.keys()].sort());
      for (const [name, e] of real.entries) {
        expect(synth.entry(name).shape).toEqual(e.shape);
        expect(synth.entry(name).dtype).toBe(e.dtype);
      }
      const w = synth.readFloat32('thinker.model.layers.0.mlp.up_proj.weight');
      const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
      expect(std).toBeGreaterThan(0.015);
      expect(std).toBeLessThan(0.025);
    } finally {
      real.close();
      synth.close();
    }
  });

  it('is a complete model directory the engine runs on', async () => {
    const engine = await createQwen3Engine({
      modelDir: dir,
      device: 'cpu',
      threads: 2,
      maxBatchSize: 2,
    });
    try {
      const text = 'a quick test of the synthetic model';
      const [r] = await engine.alignBatch([
        {
          samples: caseAudio('en_3s'),
          text,
          language: 'English',
          units: unitsFor(text, 'English'),
        },
      ]);
      expect(r).toHaveLength(7);
    } finally {
      await engine.close();
    }
  });
});
