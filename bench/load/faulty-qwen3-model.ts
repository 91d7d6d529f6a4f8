import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGraphs } from '../../region-backend/engines/qwen3/graph-build.ts';
import { REPO_ROOT } from './stack-under-test.ts';

/** The tiny random-weight Qwen3-ForcedAligner checkpoint handed out beside the repository. */
export const TINY_CHECKPOINT = join(REPO_ROOT, '../shared/fixtures/qwen3-fa-tiny/checkpoint');

/**
 * A qwen3 model directory that loads but fails on every request, as a corrupt download would:
 * a copy of the tiny checkpoint with its ONNX graphs built, then its tokenizer.json damaged so
 * every token id lies past the embedding table. The engine starts (the graphs are valid and
 * current) and onnxruntime's Gather refuses each forward pass: a real engine failure, in the
 * served path, without a mock.
 */
export async function prepareFaultyQwen3Dir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'falign-faulty-qwen3-'));
  await cp(TINY_CHECKPOINT, dir, { recursive: true });
  await buildGraphs({ modelDir: dir });
  const path = join(dir, 'tokenizer.json');
  const tokenizer = JSON.parse(await readFile(path, 'utf8')) as {
    model: { vocab: Record<string, number> };
  };
  for (const token of Object.keys(tokenizer.model.vocab))
    tokenizer.model.vocab[token]! += 10_000_000;
  await writeFile(path, JSON.stringify(tokenizer), { mode: 0o644 });
  return dir;
}
