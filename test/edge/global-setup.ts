import type { TestProject } from 'vitest/node';
import { startLocalGlobalStore } from '../../dev/upstash-rest/global-store.ts';
import { findFreePort } from '../support/redis-server.ts';
import { startFreezableStore } from './support/freezable-store.ts';
import { startStubRegion } from './support/stub-region-server.ts';
import './provided-context.ts';

/**
 * Node side of the edge tests: a real redis-server, the dev Upstash REST server in front of
 * it, a second such store the tests can freeze, and stub regions; their URLs go into workerd as miniflare bindings (vitest.config.ts).
 */
const TOKEN = 'edge-test-upstash-token';
const SECRET = 'edge-test-internal-secret-0123456789abcdef';

export default async function setup(project: TestProject) {
  const store = await startLocalGlobalStore({ token: TOKEN });
  const freezable = await startFreezableStore(TOKEN);
  const stubs = await Promise.all(
    ['us-east', 'eu-west', 'ap-south'].map((r) => startStubRegion(r, SECRET)),
  );
  project.provide('upstashUrl', store.restUrl);
  project.provide('upstashToken', TOKEN);
  project.provide('internalSecret', SECRET);
  project.provide('stubRegions', Object.fromEntries(stubs.map((s) => [s.region, s.url])));
  project.provide('deadRegionUrl', `http://127.0.0.1:${await findFreePort()}`);
  project.provide('freezableUpstashUrl', freezable.restUrl);
  project.provide('storeControlUrl', freezable.controlUrl);
  return async () => {
    await freezable.close();
    await Promise.all(stubs.map((s) => s.close()));
    await store.stop();
  };
}
