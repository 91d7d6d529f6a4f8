import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findFiles,
  loadTerraformDir,
  nested,
  REPO_ROOT,
  TERRAFORM_ROOT,
} from './terraform-config.ts';

const require = createRequire(import.meta.url);
const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerignore = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'))
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const region = await loadTerraformDir(join(TERRAFORM_ROOT, 'modules/region'));

/** Dockerfile instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
const stages = instructions.filter((i) => i.op === 'FROM');
const lastStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));
const argDefault = (name: string) =>
  instructions.find((i) => i.op === 'ARG' && i.args.startsWith(`${name}=`))?.args.split('=')[1];
const envOf = (name: string) => {
  const env = lastStage
    .filter((i) => i.op === 'ENV')
    .map((i) => i.args)
    .join(' ');
  return new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(env)?.[1];
};

/** Top-level paths the runtime stage copies from the build context. */
const copiedFromContext = lastStage
  .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
  .flatMap((i) => i.args.split(/\s+/).slice(0, -1));

describe('backend container image', () => {
  it('runs on the CUDA runtime with cuDNN, and Node 22', () => {
    expect(argDefault('CUDA_IMAGE')).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu/);
    expect(stages.at(-1)!.args).toMatch(/^\$\{CUDA_IMAGE\}/);
    expect(argDefault('NODE_IMAGE')).toMatch(/^node:22[-.]/);
  });

  it("installs onnxruntime-node's CUDA provider at build time, as its installer names it", () => {
    const ortRequire = createRequire(require.resolve('onnxruntime-node/package.json'));
    const metadata = ortRequire('./script/install-metadata.js') as {
      requirements: Record<string, string[]>;
      manifests: Record<string, Record<string, unknown>>;
    };
    const flag = /ONNXRUNTIME_NODE_INSTALL=(\S+)/.exec(dockerfile)?.[1];
    expect(metadata.requirements['linux/x64']).toContain(flag);
    // The build checks for every file of that manifest, where the installer puts them.
    for (const file of Object.keys(metadata.manifests[`linux/x64:${flag}`]!)) {
      if (file.includes('tensorrt')) continue; // TensorRT is optional for the CUDA provider
      const path = join('node_modules/onnxruntime-node/bin/napi-v6/linux/x64', file);
      expect(dockerfile).toContain(`test -f ${path.replace(/\/\.\//, '/')}`);
    }
    const install = instructions.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci'));
    const env = instructions.findIndex((i) => i.op === 'ENV' && i.args.includes('ONNXRUNTIME'));
    expect(env).toBeGreaterThanOrEqual(0);
    expect(env).toBeLessThan(install);
  });

  it('runs as the same non-root user the Deployment enforces', () => {
    const user = lastStage.filter((i) => i.op === 'USER').at(-1)!.args;
    expect(user).toMatch(/^\d+:\d+$/);
    const podSpec = nested(
      nested(nested(region.resources.get('kubernetes_deployment_v1.backend')!, 'spec'), 'template'),
      'spec',
    );
    const security = nested(podSpec, 'security_context');
    expect(user).toBe(`${security.run_as_user}:${security.run_as_group}`);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it('has a HEALTHCHECK on /health at FA_PORT, which the Deployment also listens on', () => {
    const health = lastStage.find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toContain('/health');
    expect(envOf('FA_PORT')).toBe(String(region.locals.http_port));
    expect(envOf('FA_HOST')).toBe('0.0.0.0');
  });

  it('puts the model where the Deployment points FA_MODEL_DIR', () => {
    expect(envOf('FA_MODEL_DIR')).toBe(region.locals.model_dir);
    expect(String(region.locals.model_dir).startsWith(`${region.locals.model_root}/`)).toBe(true);
  });

  it("starts `falign`, and the Deployment's args name its serve command", () => {
    const entrypoint = JSON.parse(lastStage.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entrypoint.at(-1)).toBe('falign');
    expect(JSON.parse(lastStage.find((i) => i.op === 'CMD')!.args)).toEqual(['serve']);
    expect(dockerfile).toContain('ln -s /app/bin/falign.mjs /usr/local/bin/falign');
  });

  it('copies every directory the backend imports, and .dockerignore keeps them in the context', async () => {
    for (const path of copiedFromContext) {
      expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
      expect(dockerignore, path).not.toContain(path);
    }
    const copiedDirs = new Set(copiedFromContext);
    // Follow relative imports from the CLI's sources: each must land in a copied directory.
    const sources = [
      ...(await findFiles(join(REPO_ROOT, 'region-backend'), ['.ts'])),
      ...(await findFiles(join(REPO_ROOT, 'bin'), ['.mjs'])),
    ];
    const reached = new Set<string>();
    for (const file of sources) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative(REPO_ROOT, resolve(dirname(file), m[1]!));
        reached.add(target.split('/')[0]!);
      }
    }
    expect(reached.size).toBeGreaterThan(1);
    for (const dir of reached) expect(copiedDirs.has(dir), `${dir}/ is copied`).toBe(true);
  });
});
