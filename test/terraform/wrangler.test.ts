import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import {
  expressionOf,
  loadTerraformDir,
  parseHclFile,
  REPO_ROOT,
  TERRAFORM_ROOT,
} from './terraform-config.ts';

const WRANGLER_TOML = join(REPO_ROOT, 'wrangler.toml');
const PRODUCTION = join(TERRAFORM_ROOT, 'envs/production');

// wrangler's own reader: environment inheritance and naming exactly as `wrangler deploy` sees them.
const wrangler = unstable_readConfig(
  { config: WRANGLER_TOML, env: 'production' },
  { hideWarnings: true },
);
const wranglerText = await readFile(WRANGLER_TOML, 'utf8');
const env = await loadTerraformDir(PRODUCTION);
const tfvars = await parseHclFile(join(PRODUCTION, 'terraform.tfvars'));
const edgeCall = env.modules.get('edge')!;

/** A production local of the Terraform env, e.g. `worker_vars`. */
const local = <T>(name: string) => env.locals[name] as T;

/** The local a module argument is wired to: `${local.worker_vars}` -> `worker_vars`. */
function localBehind(argument: string): string {
  const m = /^local\.([a-z_]+)$/.exec(expressionOf(edgeCall[argument]) ?? '');
  if (!m)
    throw new Error(`module.edge.${argument} should be a local, got ${String(edgeCall[argument])}`);
  return m[1]!;
}

/**
 * Secret names wrangler.toml declares: `[env.production.secrets] required` when present, else the
 * names its header comment documents (`wrangler secret put NAME`).
 */
function documentedSecrets(): string[] {
  const required = (wrangler as { secrets?: { required?: string[] } }).secrets?.required;
  if (required) return required;
  const header = /# Secrets[^\n]*\n((?:#[^\n]*\n)+?)#\s*\n/.exec(wranglerText);
  if (!header) throw new Error('wrangler.toml has no "# Secrets" header block');
  return [...header[1]!.matchAll(/^#\s{2,4}([A-Z][A-Z0-9_]+)\s/gm)].map((m) => m[1]!);
}

/** Binding names the edge reads (edge/config.ts, interface EdgeBindings). */
async function edgeBindingNames(): Promise<string[]> {
  const source = await readFile(join(REPO_ROOT, 'edge/config.ts'), 'utf8');
  const body = /export interface EdgeBindings \{([\s\S]*?)\n\}/.exec(source);
  if (!body) throw new Error('edge/config.ts has no EdgeBindings interface');
  return [...body[1]!.matchAll(/^\s+([A-Z][A-Z0-9_]*)\??:/gm)].map((m) => m[1]!);
}

describe('Terraform and wrangler.toml describe the same production worker', () => {
  it('wrangler.toml has the dev, staging and production environments', () => {
    for (const name of ['dev', 'staging', 'production']) {
      expect(wranglerText).toMatch(new RegExp(`^\\[env\\.${name}\\]`, 'm'));
    }
  });

  it('same script name', () => {
    expect(expressionOf(edgeCall.script_name)).toBe('local.worker_name');
    expect(local<string>('worker_name')).toBe(wrangler.name);
  });

  it('same compatibility date and flags', () => {
    expect(local<string>(localBehind('compatibility_date'))).toBe(wrangler.compatibility_date);
    expect(local<string[]>(localBehind('compatibility_flags'))).toEqual(
      wrangler.compatibility_flags ?? [],
    );
  });

  it('same vars, and the same values wherever Terraform sets a literal', () => {
    const tfVars = local<Record<string, string>>(localBehind('vars'));
    const wranglerVars = wrangler.vars as Record<string, unknown>;
    expect(Object.keys(tfVars).sort()).toEqual(Object.keys(wranglerVars).sort());
    for (const [name, value] of Object.entries(tfVars)) {
      // Computed values (e.g. the Upstash URL from the global-store module) are Terraform's to own.
      if (expressionOf(value) === null) expect(value, name).toBe(wranglerVars[name]);
    }
  });

  it('same secrets: those wrangler.toml documents, and every binding the edge reads is set', async () => {
    const tfSecrets = Object.keys(local<Record<string, string>>(localBehind('secrets')));
    expect(tfSecrets.sort()).toEqual(documentedSecrets().sort());
    const tfVars = Object.keys(local<Record<string, string>>(localBehind('vars')));
    expect([...tfVars, ...tfSecrets].sort()).toEqual((await edgeBindingNames()).sort());
  });

  it('the route wrangler declares is the one Terraform creates', () => {
    const domain = tfvars.domain as string;
    expect(env.locals.api_hostname).toMatch(/^api\.\$\{var\.domain\}$/);
    const routes = (wrangler.routes ?? []) as { pattern: string; zone_name?: string }[];
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(route.pattern).toBe(`api.${domain}/*`);
      if (route.zone_name) expect(route.zone_name).toBe(domain);
    }
  });
});
