import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/edge/**', 'test/e2e/**', 'node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Real servers and engines on a 2-core machine: keep the file-level parallelism low.
          maxWorkers: 2,
        },
      },
      {
        test: {
          // Whole local stacks (Redis, REST server, two backends, wrangler dev): one at a time,
          // after the other projects, so their timing does not depend on what else runs. A
          // Ctrl-C test failed once while sharing the machine with the rest of the suite.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The edge worker inside workerd, configured by the real wrangler.toml (env dev), talking
        // to a real redis-server through the dev Upstash REST server (test/edge/global-setup.ts).
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './edge/index.ts',
            wrangler: { configPath: './wrangler.toml', environment: 'dev' },
            miniflare: {
              bindings: {
                UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
                UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
                FA_INTERNAL_SECRET: inject('internalSecret'),
                TEST_STUB_REGIONS: JSON.stringify(inject('stubRegions')),
                TEST_DEAD_REGION_URL: inject('deadRegionUrl'),
                TEST_FREEZABLE_UPSTASH_URL: inject('freezableUpstashUrl'),
                TEST_STORE_CONTROL_URL: inject('storeControlUrl'),
              },
            },
          })),
        ],
        test: {
          name: 'edge',
          include: ['test/edge/**/*.test.ts'],
          globalSetup: ['test/edge/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // The test files share one Redis (beacons, keys): one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
