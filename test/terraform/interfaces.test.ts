import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findFiles,
  loadTerraformDir,
  MODULE_META_ARGUMENTS,
  parseHclFile,
  referencedVariables,
  TERRAFORM_ROOT,
  type TerraformDir,
} from './terraform-config.ts';

const dirs: TerraformDir[] = [];
for (const group of ['modules', 'envs']) {
  for (const d of await readdir(join(TERRAFORM_ROOT, group))) {
    dirs.push(await loadTerraformDir(join(TERRAFORM_ROOT, group, d)));
  }
}
const byName = dirs.map((tf) => [relative(TERRAFORM_ROOT, tf.dir), tf] as const);

/** Module calls of every directory, with the directory of the module they call. */
const calls = dirs.flatMap((tf) =>
  [...tf.modules].map(([name, body]) => ({
    caller: tf,
    name,
    body,
    target: resolve(tf.dir, String(body.source)),
  })),
);

describe('variables and outputs are declared, typed and described', () => {
  it.each(byName)('%s: every variable has a type and a description', (_n, tf) => {
    expect(tf.variables.size).toBeGreaterThan(0);
    for (const [name, v] of tf.variables) {
      expect(typeof v.type, `variable ${name} type`).toBe('string');
      expect(String(v.type)).toMatch(/^\$\{.+\}$/s);
      expect(String(v.type), `variable ${name} is typed, not "any"`).not.toMatch(/\bany\b/);
      expect(typeof v.description, `variable ${name} description`).toBe('string');
      expect(String(v.description).length, `variable ${name} description`).toBeGreaterThan(10);
    }
  });

  it.each(byName)('%s: every output has a description', (_n, tf) => {
    for (const [name, o] of tf.outputs) {
      expect(String(o.description ?? '').length, `output ${name}`).toBeGreaterThan(10);
    }
  });

  it.each(byName)(
    '%s: every var.<name> it references is declared, and every variable is used',
    (_n, tf) => {
      const bodies = [
        ...tf.resources.values(),
        ...tf.modules.values(),
        ...tf.outputs.values(),
        tf.locals,
        ...[...tf.providers.values()].flat(),
        // Validations may only refer to their own variable (and, from 1.9, others): count them too.
        ...tf.variables.values(),
      ];
      const referenced = new Set(bodies.flatMap((b) => [...referencedVariables(b)]));
      for (const name of referenced)
        expect(tf.variables.has(name), `var.${name} declared`).toBe(true);
      const usedOutsideOwnBlock = new Set(
        [...tf.resources.values(), ...tf.modules.values(), ...tf.outputs.values(), tf.locals]
          .concat([...tf.providers.values()].flat())
          .flatMap((b) => [...referencedVariables(b)]),
      );
      for (const name of tf.variables.keys()) {
        expect(usedOutsideOwnBlock.has(name), `variable ${name} is used`).toBe(true);
      }
    },
  );
});

describe('module calls pass exactly what the modules declare', () => {
  it('there are calls to every module', () => {
    const targets = new Set(calls.map((c) => relative(TERRAFORM_ROOT, c.target)));
    expect([...targets].sort()).toEqual(['modules/edge', 'modules/global-store', 'modules/region']);
  });

  it.each(calls.map((c) => [`${relative(TERRAFORM_ROOT, c.caller.dir)}: module.${c.name}`, c]))(
    '%s',
    async (_n, call) => {
      expect(existsSync(call.target), `${call.target} exists`).toBe(true);
      const child = await loadTerraformDir(call.target);
      const passed = Object.keys(call.body).filter((k) => !MODULE_META_ARGUMENTS.has(k));
      for (const arg of passed) {
        expect(child.variables.has(arg), `${arg} is a variable of ${call.body.source}`).toBe(true);
      }
      const required = [...child.variables].filter(([, v]) => !('default' in v)).map(([n]) => n);
      for (const name of required) expect(passed, `required variable ${name}`).toContain(name);
      // Providers handed to the module must be ones it requires.
      const providers = (call.body.providers ?? {}) as Record<string, string>;
      const childRequires = new Set(
        child.settings.flatMap((s) =>
          ((s.required_providers ?? []) as Record<string, unknown>[]).flatMap((r) =>
            Object.keys(r),
          ),
        ),
      );
      for (const p of Object.keys(providers))
        expect(childRequires.has(p), `provider ${p}`).toBe(true);
    },
  );
});

const tfvars = await findFiles(TERRAFORM_ROOT, ['.tfvars']);

describe('tfvars set only declared variables', () => {
  it('production has a terraform.tfvars', () => {
    expect(tfvars.map((f) => relative(TERRAFORM_ROOT, f))).toContain(
      'envs/production/terraform.tfvars',
    );
  });
  it.each(tfvars.map((f) => [relative(TERRAFORM_ROOT, f), f]))('%s', async (_n, file) => {
    const tf = await loadTerraformDir(resolve(file, '..'));
    const values = await parseHclFile(file);
    for (const key of Object.keys(values)) expect(tf.variables.has(key), key).toBe(true);
  });
});
