import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import {
  findFiles,
  type HclBody,
  loadTerraformDir,
  parseHclFile,
  REPO_ROOT,
  TERRAFORM_ROOT,
} from './terraform-config.ts';

const hclFiles = await findFiles(TERRAFORM_ROOT, ['.tf', '.tfvars', '.hcl.example']);
const moduleDirs = (await readdir(join(TERRAFORM_ROOT, 'modules'))).map((d) =>
  join(TERRAFORM_ROOT, 'modules', d),
);
const envDirs = (await readdir(join(TERRAFORM_ROOT, 'envs'))).map((d) =>
  join(TERRAFORM_ROOT, 'envs', d),
);
const allDirs = [...moduleDirs, ...envDirs];

/** Provider each resource type belongs to: its prefix up to the first underscore. */
const providerOfResource = (type: string) => type.slice(0, type.indexOf('_'));

interface ProviderRequirement {
  source: string;
  version: string;
}

function requiredProviders(settings: HclBody[]): Map<string, ProviderRequirement> {
  const found = new Map<string, ProviderRequirement>();
  for (const block of settings) {
    for (const rp of (block.required_providers ?? []) as Record<string, ProviderRequirement>[]) {
      for (const [name, req] of Object.entries(rp)) found.set(name, req);
    }
  }
  return found;
}

describe('every Terraform file parses', () => {
  it('finds the modules and the production environment', () => {
    expect(moduleDirs.map((d) => relative(TERRAFORM_ROOT, d)).sort()).toEqual([
      'modules/edge',
      'modules/global-store',
      'modules/region',
    ]);
    expect(envDirs.map((d) => relative(TERRAFORM_ROOT, d))).toContain('envs/production');
    expect(hclFiles.length).toBeGreaterThan(15);
  });

  it.each(hclFiles.map((f) => [relative(REPO_ROOT, f), f]))('%s', async (_name, file) => {
    const hcl = await parseHclFile(file);
    expect(Object.keys(hcl).length).toBeGreaterThan(0);
  });

  it('the parser rejects broken HCL (so a parse is a real check)', async () => {
    await expect(parse('broken.tf', 'resource "a" "b" {\n  x = \n')).rejects.toThrow();
    await expect(parse('broken.tf', 'variable "x" { type = string }}')).rejects.toThrow();
  });
});

describe('providers and versions are pinned', () => {
  it.each(allDirs.map((d) => [relative(TERRAFORM_ROOT, d), d]))(
    '%s declares required_version and every provider it uses, with a bounded version',
    async (_name, dir) => {
      const tf = await loadTerraformDir(dir);
      expect(tf.settings.length, 'a terraform {} block').toBeGreaterThan(0);
      expect(tf.settings.some((s) => typeof s.required_version === 'string')).toBe(true);
      const required = requiredProviders(tf.settings);
      const used = new Set([...tf.resources.keys()].map((k) => providerOfResource(k)));
      for (const name of tf.providers.keys()) used.add(name);
      for (const provider of used) {
        const req = required.get(provider);
        expect(req, `required_providers.${provider} in ${dir}`).toBeDefined();
        expect(req!.source).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
        // "~> x.y[.z]" or an exact version: never open-ended (">= x") or missing.
        expect(req!.version).toMatch(/^(~>\s*\d+\.\d+(\.\d+)?|=?\s*\d+\.\d+\.\d+)$/);
      }
    },
  );

  it('every directory pins the same version of the same provider', async () => {
    const seen = new Map<string, { dir: string; req: ProviderRequirement }>();
    for (const dir of allDirs) {
      const tf = await loadTerraformDir(dir);
      for (const [name, req] of requiredProviders(tf.settings)) {
        const first = seen.get(name);
        if (!first) seen.set(name, { dir, req });
        else expect(req, `${name} in ${dir} vs ${first.dir}`).toEqual(first.req);
      }
    }
    expect([...seen.keys()].sort()).toEqual([
      'cloudflare',
      'helm',
      'kubernetes',
      'random',
      'upstash',
    ]);
  });
});
