import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expressionOf,
  type HclBody,
  loadTerraformDir,
  nested,
  parseHclFile,
  TERRAFORM_ROOT,
} from './terraform-config.ts';

const PRODUCTION = join(TERRAFORM_ROOT, 'envs/production');
const env = await loadTerraformDir(PRODUCTION);
const region = await loadTerraformDir(join(TERRAFORM_ROOT, 'modules/region'));
const tfvars = await parseHclFile(join(PRODUCTION, 'terraform.tfvars'));

interface RegionEntry {
  latitude: number;
  longitude: number;
  kube_context: string;
  upstash_region: string;
}
const regions = (tfvars.regions ?? {}) as Record<string, RegionEntry>;
const regionIds = Object.keys(regions);

/** The module block that deploys region `id`: the one whose `name` is that id. */
function regionModule(id: string): [string, HclBody] | undefined {
  return [...env.modules].find(
    ([, body]) => body.source === '../../modules/region' && body.name === id,
  );
}

/** Every `var.regions["<id>"]` key an expression tree mentions. */
function regionKeysReferenced(body: unknown): string[] {
  return [...JSON.stringify(body).matchAll(/var\.regions\[\\"([^\\]+)\\"\]/g)].map((m) => m[1]!);
}

describe('the production region map', () => {
  it('has at least three regions, each with valid coordinates and a cluster', () => {
    expect(regionIds.length).toBeGreaterThanOrEqual(3);
    for (const [id, r] of Object.entries(regions)) {
      expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
      expect(r.latitude, id).toBeGreaterThanOrEqual(-90);
      expect(r.latitude, id).toBeLessThanOrEqual(90);
      expect(r.longitude, id).toBeGreaterThanOrEqual(-180);
      expect(r.longitude, id).toBeLessThanOrEqual(180);
      expect(r.kube_context, id).toBeTruthy();
      expect(r.upstash_region, id).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    }
  });

  it('has no region module without a map entry', () => {
    const deployed = [...env.modules.values()]
      .filter((m) => m.source === '../../modules/region')
      .map((m) => m.name);
    expect(deployed.sort()).toEqual([...regionIds].sort());
  });
});

describe.each(regionIds)('region %s', (id) => {
  it('yields a backend: one region module, on its own cluster, fed from its own map entry', () => {
    const found = regionModule(id);
    expect(found, `a module block with name = "${id}"`).toBeDefined();
    const [moduleName, body] = found!;
    // Everything the block reads from the map is this region's entry.
    expect(new Set(regionKeysReferenced(body))).toEqual(new Set([id]));
    expect(expressionOf(body.latitude)).toBe(`var.regions["${id}"].latitude`);
    expect(expressionOf(body.longitude)).toBe(`var.regions["${id}"].longitude`);
    // Its providers point at this region's kube context, not another region's.
    const providers = body.providers as Record<string, string>;
    for (const kind of ['kubernetes', 'helm']) {
      const alias = expressionOf(providers[kind])?.split('.')[1];
      expect(alias, `${moduleName} providers.${kind}`).toBeTruthy();
      const config = (env.providers.get(kind) ?? []).find((p) => p.alias === alias);
      expect(config, `provider ${kind}.${alias}`).toBeDefined();
      const k8s = (kind === 'helm' ? config!.kubernetes : config) as HclBody;
      expect(expressionOf(k8s.config_context)).toBe(`var.regions["${id}"].kube_context`);
    }
    // The region's outputs are collected under its id.
    const collected = env.locals.regions as Record<string, string>;
    expect(expressionOf(collected[id])).toBe(`module.${moduleName}`);
  });

  it('yields a beacon config: FA_REGION, coordinates and public URL from this entry', () => {
    const [, body] = regionModule(id)!;
    const data = region.resources.get('kubernetes_config_map_v1.backend')!.data as Record<
      string,
      string
    >;
    // The module turns its inputs into the beacon's settings ...
    expect(expressionOf(data.FA_REGION)).toBe('var.name');
    expect(expressionOf(data.FA_LATITUDE)).toBe('tostring(var.latitude)');
    expect(expressionOf(data.FA_LONGITUDE)).toBe('tostring(var.longitude)');
    expect(expressionOf(data.FA_PUBLIC_URL)).toBe('local.public_url');
    expect(region.locals.public_url).toMatch(/^https:\/\/\$\{var\.hostname\}$/);
    // ... and this region's call gives it this region's values.
    expect(body.name).toBe(id);
    expect(expressionOf(body.hostname)).toBe(`local.region_hostnames["${id}"]`);
    const beacon = region.outputs.get('beacon')!.value as Record<string, string>;
    expect(
      Object.fromEntries(Object.entries(beacon).map(([k, v]) => [k, expressionOf(v)])),
    ).toEqual({
      region: 'var.name',
      url: 'local.public_url',
      latitude: 'var.latitude',
      longitude: 'var.longitude',
    });
    expect(expressionOf(env.outputs.get('region_beacons')!.value)).toMatch(
      /for id, region in local\.regions : id => region\.beacon/,
    );
  });

  it('yields an endpoint: a host name, a DNS record and an output', () => {
    // region_hostnames has an entry for every key of var.regions.
    expect(expressionOf(env.locals.region_hostnames)).toMatch(
      /^\{\s*for id, _ in var\.regions : id => "api-\$\{id\}\.\$\{var\.domain\}"\s*\}$/,
    );
    const edge = env.modules.get('edge')!;
    expect(expressionOf(edge.regional_origins)).toMatch(/for id, region in local\.regions : id =>/);
    expect(expressionOf(edge.regional_origins)).toMatch(
      /hostname\s*=\s*local\.region_hostnames\[id\]/,
    );
    expect(expressionOf(env.outputs.get('region_endpoints')!.value)).toMatch(
      /for id, region in local\.regions : id => region\.endpoint/,
    );
    // The Ingress serves exactly the host name the beacon advertises.
    const ingress = region.resources.get('kubernetes_ingress_v1.backend')!;
    const rule = nested(nested(ingress, 'spec'), 'rule');
    expect(expressionOf(rule.host)).toBe('var.hostname');
    expect(expressionOf(region.outputs.get('endpoint')!.value)).toBe('local.public_url');
  });

  it("adds its Upstash region to the global database's read replicas", () => {
    const store = env.modules.get('global_store')!;
    expect(expressionOf(store.read_regions)).toMatch(
      /r\.upstash_region for r in values\(var\.regions\)|for r in values\(var\.regions\) : r\.upstash_region/,
    );
  });
});

describe('Terraform itself refuses a region map that disagrees with the module blocks', () => {
  it('an output precondition compares var.regions with local.regions', () => {
    const precondition = nested(env.outputs.get('api_url')!, 'precondition');
    expect(expressionOf(precondition.condition)).toBe(
      'length(setsymmetricdifference(keys(var.regions), keys(local.regions))) == 0',
    );
  });
});
