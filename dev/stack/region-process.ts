/**
 * One regional backend of the local stack, as its own process: `falign serve`'s backend plus
 * its beacon. Configured entirely by FA_* / UPSTASH_* environment variables (see
 * region-backend/config.ts). Signals: SIGTERM/SIGINT stop it (beacon withdrawn), SIGUSR2
 * toggles draining (the beacon reports it unhealthy, so the edge steers traffic away).
 *
 *   node bin/run-ts.mjs dev/stack/region-process.ts
 */
import { startBackendBeacon } from '../../region-backend/beacon/backend-beacon.ts';
import { loadBackendConfig } from '../../region-backend/config.ts';
import { openGlobalStore } from '../../region-backend/global-store.ts';
import { startBackend } from '../../region-backend/server/backend.ts';

const config = loadBackendConfig(process.env, {});
const redis = openGlobalStore(config);
if (!redis) {
  process.stderr.write('region-process: UPSTASH_REDIS_REST_URL is required for beacons\n');
  process.exit(2);
}
const backend = await startBackend(config);
let beaconErrors = 0;
const beacon = startBackendBeacon(backend, redis, {
  onError: (err) => {
    if (beaconErrors++ % 10 === 0) process.stderr.write(`beacon not written: ${String(err)}\n`);
  },
});
process.stdout.write(`region ${config.region} listening on ${backend.url}\n`);

let draining = false;
process.on('SIGUSR2', () => {
  draining = !draining;
  beacon.drain(draining);
  process.stdout.write(`region ${config.region} ${draining ? 'draining' : 'serving'}\n`);
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  // Queued work gets a few seconds; a backend that cannot finish (its Redis is gone, an
  // engine is still loading) must not outlive the stack.
  setTimeout(() => process.exit(1), 8_000).unref();
  void beacon
    .stop()
    .catch(() => {})
    .then(() => backend.close())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
