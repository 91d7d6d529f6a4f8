import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EngineSetupError } from '../engine.ts';

export const DEFAULT_REPO = 'Qwen/Qwen3-ForcedAligner-0.6B';

/** Files `falign model pull` fetches (those absent from a repo are skipped, see pull). */
export const MODEL_FILES = [
  'config.json',
  'preprocessor_config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'special_tokens_map.json',
  'generation_config.json',
  'chat_template.json',
];

/** Written by `falign model pull`: where the files came from. */
export const PULL_MANIFEST_FILE = '.falign-pull.json';

export interface PullManifest {
  repo: string;
  revision: string;
  /** The commit the revision resolved to, when the Hub said. */
  commit?: string;
  files: Record<string, { size: number; sha256: string; etag?: string }>;
  pulledAt: string;
}

/** A model directory the engine cannot start from; the message says what to run. */
export class ModelDirError extends EngineSetupError {
  override name = 'ModelDirError';
}

/** Which required files `dir` lacks (a tokenizer counts as tokenizer.json or vocab + merges). */
export function missingModelFiles(dir: string): string[] {
  const missing: string[] = [];
  for (const f of ['config.json', 'model.safetensors'])
    if (!existsSync(join(dir, f))) missing.push(f);
  const hasTokenizer =
    existsSync(join(dir, 'tokenizer.json')) ||
    (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt')));
  if (!hasTokenizer) missing.push('tokenizer.json (or vocab.json + merges.txt)');
  return missing;
}

/** The commands that make `dir` usable, for error messages. */
export function setupHint(dir = '/models/qwen3-fa'): string {
  return (
    `run \`falign model pull --repo ${DEFAULT_REPO} --dir ${dir}\` then ` +
    `\`falign model build --model-dir ${dir}\`, and start with --model-dir ${dir} (or FA_MODEL_DIR=${dir})`
  );
}

/** Throws a ModelDirError unless `dir` is a complete model directory. */
export function assertModelDir(dir: string | undefined): string {
  if (!dir) {
    throw new ModelDirError(`the qwen3 engine needs the model files: ${setupHint()}`);
  }
  const abs = resolve(dir);
  if (!existsSync(abs)) {
    throw new ModelDirError(`model directory ${abs} does not exist: ${setupHint(abs)}`);
  }
  const missing = missingModelFiles(abs);
  if (missing.length > 0) {
    throw new ModelDirError(
      `model directory ${abs} is incomplete (missing ${missing.join(', ')}): ${setupHint(abs)}`,
    );
  }
  return abs;
}

export function readPullManifest(dir: string): PullManifest | null {
  const path = join(dir, PULL_MANIFEST_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PullManifest;
  } catch {
    return null;
  }
}

/** Model name and revision for EngineInfo: from the pull record, else the directory and weights hash. */
export function modelIdentity(
  dir: string,
  weightsSha256: string,
): { model: string; revision: string } {
  const pulled = readPullManifest(dir);
  if (pulled) return { model: pulled.repo, revision: pulled.commit ?? pulled.revision };
  return { model: basename(resolve(dir)), revision: `sha256:${weightsSha256.slice(0, 16)}` };
}
