import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../region-backend/cli/main.ts';
import { BACKEND_ENV } from '../../region-backend/config.ts';
import {
  expressionOf,
  type HclBody,
  loadTerraformDir,
  nested,
  nestedAll,
  objectTypeAttributes,
  TERRAFORM_ROOT,
} from './terraform-config.ts';

const region = await loadTerraformDir(join(TERRAFORM_ROOT, 'modules/region'));
const env = await loadTerraformDir(join(TERRAFORM_ROOT, 'envs/production'));

const deployment = region.resources.get('kubernetes_deployment_v1.backend')!;
const podSpec = nested(nested(nested(deployment, 'spec'), 'template'), 'spec');
const container = nestedAll(podSpec, 'container').find((c) => c.name === 'backend')!;

/** `kubernetes_config_map_v1.backend` -> that resource, from `${...metadata[0].name}`. */
function referencedResource(ref: unknown): HclBody {
  const expr = expressionOf(ref);
  const m =
    expr && /^(kubernetes_(?:config_map|secret)_v1\.[a-z_]+)\.metadata\[0\]\.name$/.exec(expr);
  if (!m) throw new Error(`expected a reference to a ConfigMap or Secret, got ${String(ref)}`);
  const resource = region.resources.get(m[1]!);
  if (!resource) throw new Error(`${m[1]} is not declared`);
  return resource;
}

/** Every variable name the backend container gets: env_from sources plus explicit env. */
function providedSettings(): { name: string; from: string }[] {
  const provided: { name: string; from: string }[] = [];
  for (const source of nestedAll(container, 'env_from')) {
    const [kind, ref] = source.config_map_ref
      ? ['ConfigMap', nested(source, 'config_map_ref').name]
      : ['Secret', nested(source, 'secret_ref').name];
    const data = referencedResource(ref).data;
    if (!data || typeof data !== 'object') throw new Error(`${kind} data must be a literal map`);
    for (const name of Object.keys(data)) provided.push({ name, from: kind });
  }
  for (const e of nestedAll(container, 'env')) provided.push({ name: String(e.name), from: 'env' });
  // Names from a dynamic block could not be read here; the backend's settings stay literal.
  const dynamic = (container.dynamic ?? {}) as Record<string, unknown>;
  if ('env' in dynamic || 'env_from' in dynamic) throw new Error('backend env must not be dynamic');
  return provided;
}

describe('the Deployment provides exactly the settings the backend reads', () => {
  it('BACKEND_ENV (region-backend/config.ts) equals the ConfigMap + Secret keys', () => {
    const provided = providedSettings().map((p) => p.name);
    expect([...provided].sort()).toEqual([...Object.values(BACKEND_ENV)].sort());
  });

  it('provides each setting once (no name in both the ConfigMap and the Secret)', () => {
    const names = providedSettings().map((p) => p.name);
    expect(names.length).toBe(new Set(names).size);
  });

  it('keeps credentials in the Secret, not the ConfigMap', () => {
    const inSecret = providedSettings()
      .filter((p) => p.from === 'Secret')
      .map((p) => p.name);
    for (const credential of [
      BACKEND_ENV.upstashToken,
      BACKEND_ENV.internalSecret,
      BACKEND_ENV.redisUrl,
    ]) {
      expect(inSecret).toContain(credential);
    }
  });

  it('every var.backend.<attr> the ConfigMap reads is an attribute of the backend variable', () => {
    const attrs = new Set(objectTypeAttributes(String(region.variables.get('backend')!.type)));
    const data = region.resources.get('kubernetes_config_map_v1.backend')!.data as Record<
      string,
      string
    >;
    const read = Object.values(data).flatMap((v) =>
      [...v.matchAll(/var\.backend\.([a-z_]+)/g)].map((m) => m[1]!),
    );
    expect(read.length).toBeGreaterThan(10);
    for (const attr of read) expect(attrs.has(attr), `backend.${attr}`).toBe(true);
    // ... and every attribute reaches the ConfigMap (or it would be a knob that does nothing).
    expect(new Set(read)).toEqual(attrs);
  });

  it("production's backend variable has the same attributes as the module's", () => {
    const moduleAttrs = objectTypeAttributes(String(region.variables.get('backend')!.type));
    const envAttrs = objectTypeAttributes(String(env.variables.get('backend')!.type));
    expect([...envAttrs].sort()).toEqual([...moduleAttrs].sort());
  });

  it('init containers pull, then build the model into FA_MODEL_DIR with flags the CLI has', () => {
    const init = (podSpec.dynamic as Record<string, HclBody[]>).init_container!;
    const content = nested(init[0]!, 'content');
    expect(expressionOf(content.command)).toBe('init_container.value.command');
    const ref = nested(nested(content, 'env_from'), 'config_map_ref').name;
    expect(referencedResource(ref)).toBe(region.resources.get('kubernetes_config_map_v1.backend'));

    const steps = region.locals.model_init_steps as { name: string; command: string[] }[];
    expect(steps.map((s) => s.name)).toEqual(['model-pull', 'model-build']);
    const configMap = region.resources.get('kubernetes_config_map_v1.backend')!;
    const modelDir = (configMap.data as Record<string, string>)[BACKEND_ENV.modelDir]!;
    expect(expressionOf(modelDir)).toBe('local.model_dir');
    const [pull, build] = steps.map((s) => s.command);
    expect(pull!.slice(0, 3)).toEqual(['falign', 'model', 'pull']);
    expect(pull![pull!.indexOf('--dir') + 1]).toBe(modelDir);
    expect(build!.slice(0, 3)).toEqual(['falign', 'model', 'build']);
    expect(build![build!.indexOf('--model-dir') + 1]).toBe(modelDir);

    // The flags exist in the real CLI (region-backend/cli).
    const program = buildProgram();
    const model = program.commands.find((c) => c.name() === 'model')!;
    const flagsOf = (name: string) =>
      model.commands.find((c) => c.name() === name)!.options.map((o) => o.long);
    for (const step of [pull!, build!]) {
      const flags = step.filter((part) => part.startsWith('--'));
      expect(flagsOf(step[2]!)).toEqual(expect.arrayContaining(flags));
    }
    expect(program.commands.map((c) => c.name())).toContain(
      String((container.args as string[])[0]),
    );
  });
});
