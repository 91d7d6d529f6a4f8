import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildGraphs,
  currentBuild,
  defaultGraphDir,
} from '../../region-backend/engines/qwen3/graph-build.ts';
import { checkpointDir, tempDir } from './fixture.ts';

const tmp = tempDir('falign-qwen3-cache-');
afterAll(tmp.cleanup);

describe('graph cache beside the weights', () => {
  const dir = join(tmp.dir, 'model');
  mkdirSync(dir);
  for (const f of ['config.json', 'model.safetensors'])
    copyFileSync(join(checkpointDir, f), join(dir, f));

  it('is current after a build, stale when the weights or config change', async () => {
    const built = await buildGraphs({ modelDir: dir });
    expect(built.weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(currentBuild(dir, defaultGraphDir(dir))).not.toBeNull();
    expect(currentBuild(dir, defaultGraphDir(dir), { dtype: 'fp16' })).toBeNull();

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'model.safetensors'), later, later);
    expect(currentBuild(dir, defaultGraphDir(dir))).toBeNull();

    await buildGraphs({ modelDir: dir });
    expect(currentBuild(dir, defaultGraphDir(dir))).not.toBeNull();
    const config = JSON.parse(
      (await import('node:fs')).readFileSync(join(dir, 'config.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, note: 'changed' }));
    expect(currentBuild(dir, defaultGraphDir(dir))).toBeNull();
  });

  it('is not current when its manifest is unreadable', async () => {
    await buildGraphs({ modelDir: dir });
    writeFileSync(join(defaultGraphDir(dir), 'build.json'), '{not json');
    expect(currentBuild(dir, defaultGraphDir(dir))).toBeNull();
  });
});
