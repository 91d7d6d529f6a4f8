import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/** Repository root and the Terraform tree the tests read. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const TERRAFORM_ROOT = join(REPO_ROOT, 'terraform');

/** One HCL block body as @cdktf/hcl2json renders it: expressions become `${...}` strings. */
export type HclBody = Record<string, unknown>;

/**
 * A Terraform module directory (a reusable module or an environment's root), its files parsed
 * and their top-level blocks merged the way Terraform merges a directory's files.
 */
export interface TerraformDir {
  dir: string;
  files: string[];
  variables: Map<string, HclBody>;
  outputs: Map<string, HclBody>;
  locals: HclBody;
  /** Module calls by name. */
  modules: Map<string, HclBody>;
  /** Resources by `type.name`. */
  resources: Map<string, HclBody>;
  /** Provider configurations by name, one entry per block (aliases included). */
  providers: Map<string, HclBody[]>;
  /** `terraform {}` blocks. */
  settings: HclBody[];
}

/** Parses one HCL file (.tf or .tfvars); rejects with the parser's message on a syntax error. */
export async function parseHclFile(path: string): Promise<HclBody> {
  return parse(relative(REPO_ROOT, path), await readFile(path, 'utf8'));
}

/** Every file under `root` whose name ends with one of `suffixes`, sorted. */
export async function findFiles(root: string, suffixes: string[]): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && suffixes.some((s) => e.name.endsWith(s)))
    .filter((e) => !join(e.parentPath, e.name).includes('/.terraform/'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const singleBlock = (blocks: unknown, what: string): HclBody => {
  if (!Array.isArray(blocks) || blocks.length !== 1) {
    throw new Error(`${what} is declared ${Array.isArray(blocks) ? blocks.length : 0} times`);
  }
  return blocks[0] as HclBody;
};

/** Loads the `.tf` files directly inside `dir` (Terraform does not recurse). */
export async function loadTerraformDir(dir: string): Promise<TerraformDir> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.tf')).sort();
  const result: TerraformDir = {
    dir,
    files: names.map((n) => join(dir, n)),
    variables: new Map(),
    outputs: new Map(),
    locals: {},
    modules: new Map(),
    resources: new Map(),
    providers: new Map(),
    settings: [],
  };
  const addUnique = (map: Map<string, HclBody>, key: string, body: HclBody, what: string) => {
    if (map.has(key)) throw new Error(`${what} ${key} is declared twice in ${dir}`);
    map.set(key, body);
  };
  for (const file of result.files) {
    const hcl = await parseHclFile(file);
    for (const [name, blocks] of Object.entries((hcl.variable ?? {}) as Record<string, unknown>)) {
      addUnique(result.variables, name, singleBlock(blocks, `variable ${name}`), 'variable');
    }
    for (const [name, blocks] of Object.entries((hcl.output ?? {}) as Record<string, unknown>)) {
      addUnique(result.outputs, name, singleBlock(blocks, `output ${name}`), 'output');
    }
    for (const [name, blocks] of Object.entries((hcl.module ?? {}) as Record<string, unknown>)) {
      addUnique(result.modules, name, singleBlock(blocks, `module ${name}`), 'module');
    }
    const resources = (hcl.resource ?? {}) as Record<string, Record<string, unknown>>;
    for (const [type, byName] of Object.entries(resources)) {
      for (const [name, blocks] of Object.entries(byName)) {
        addUnique(result.resources, `${type}.${name}`, singleBlock(blocks, `${type}.${name}`), '');
      }
    }
    for (const block of (hcl.locals ?? []) as HclBody[]) {
      for (const [name, value] of Object.entries(block)) {
        if (name in result.locals) throw new Error(`local.${name} is declared twice in ${dir}`);
        result.locals[name] = value;
      }
    }
    for (const [name, blocks] of Object.entries((hcl.provider ?? {}) as Record<string, unknown>)) {
      result.providers.set(name, [...(result.providers.get(name) ?? []), ...(blocks as HclBody[])]);
    }
    result.settings.push(...((hcl.terraform ?? []) as HclBody[]));
  }
  return result;
}

/** Arguments of a module call that are Terraform meta-arguments, not the module's variables. */
export const MODULE_META_ARGUMENTS = new Set([
  'source',
  'version',
  'providers',
  'count',
  'for_each',
  'depends_on',
]);

/** The `${...}` expression inside an hcl2json string, or null for a literal. */
export function expressionOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^\$\{([\s\S]*)\}$/.exec(value);
  return m ? m[1]! : null;
}

/**
 * Attribute names of an HCL `object({...})` type expression, top level only: enough to compare
 * the shape of two object types without a Terraform binary.
 */
export function objectTypeAttributes(typeExpression: string): string[] {
  const expr = expressionOf(typeExpression) ?? typeExpression;
  const open = expr.indexOf('object({');
  if (open < 0) throw new Error(`not an object type: ${expr}`);
  const names: string[] = [];
  let depth = 0;
  let i = open + 'object({'.length;
  let atStart = true;
  for (; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (ch === ',' || ch === '\n')) atStart = true;
    else if (depth === 0 && atStart && /[A-Za-z_]/.test(ch)) {
      const m = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=/.exec(expr.slice(i));
      if (m) names.push(m[1]!);
      atStart = false;
    } else if (!/\s/.test(ch)) atStart = false;
  }
  return names;
}

/** Names of `var.<name>` references anywhere in a parsed body. */
export function referencedVariables(body: unknown): Set<string> {
  const names = new Set<string>();
  const text = JSON.stringify(body);
  for (const m of text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)) names.add(m[1]!);
  return names;
}

/** The single block of a nested-block list (hcl2json renders every nested block as a list). */
export function nested(body: HclBody, name: string): HclBody {
  const value = body[name];
  if (!Array.isArray(value) || value.length === 0) throw new Error(`no ${name} block`);
  return value[0] as HclBody;
}

/** Every block of a nested-block list; none gives []. */
export function nestedAll(body: HclBody, name: string): HclBody[] {
  const value = body[name];
  return Array.isArray(value) ? (value as HclBody[]) : [];
}
