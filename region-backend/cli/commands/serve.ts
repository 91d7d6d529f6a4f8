import { type Command, Option } from 'commander';
import { startBackendBeacon } from '../../beacon/backend-beacon.ts';
import { BACKEND_ENV, loadBackendConfig } from '../../config.ts';
import { openGlobalStore } from '../../global-store.ts';
import { startBackend } from '../../server/backend.ts';

/** Queued work gets this long after SIGTERM; a backend that cannot finish must not linger. */
const STOP_GRACE_MS = 8_000;

/** `falign serve`: one regional backend. Flags override the FA_* environment variables. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run one regional backend (HTTP API, batcher, engines)')
    .addOption(new Option('--host <host>', 'interface to listen on').env(BACKEND_ENV.host))
    .addOption(new Option('--port <port>', 'port (0 = any free port)').env(BACKEND_ENV.port))
    .addOption(new Option('--region <name>', 'region name').env(BACKEND_ENV.region))
    .addOption(new Option('--engine <id>', 'default engine: dtw | qwen3').env(BACKEND_ENV.engine))
    .addOption(
      new Option('--fallback-engine <id>', 'engine that answers while the default one fails').env(
        BACKEND_ENV.fallbackEngine,
      ),
    )
    .addOption(new Option('--model-dir <dir>', 'model directory (qwen3)').env(BACKEND_ENV.modelDir))
    .addOption(
      new Option('--max-batch-size <n>', 'items per engine batch').env(BACKEND_ENV.maxBatchSize),
    )
    .addOption(
      new Option('--max-queue-delay-ms <ms>', 'longest wait for a batch to fill').env(
        BACKEND_ENV.maxQueueDelayMs,
      ),
    )
    .addOption(
      new Option('--max-queue-length <n>', 'waiting items before 503').env(
        BACKEND_ENV.maxQueueLength,
      ),
    )
    .addOption(new Option('--keys-file <path>', 'local API-key file').env(BACKEND_ENV.keysFile))
    .action(async (o) => {
      const config = loadBackendConfig(process.env, {
        host: o.host,
        port: o.port,
        region: o.region,
        engine: o.engine,
        fallbackEngine: o.fallbackEngine,
        modelDir: o.modelDir,
        maxBatchSize: o.maxBatchSize,
        maxQueueDelayMs: o.maxQueueDelayMs,
        maxQueueLength: o.maxQueueLength,
        keysFile: o.keysFile,
      });
      const backend = await startBackend(config);
      // With a global store, publish this region's beacon so the edge can route here.
      const redis = openGlobalStore(config);
      let beaconErrors = 0;
      const beacon = redis
        ? startBackendBeacon(backend, redis, {
            onError: (err) => {
              if (beaconErrors++ % 10 === 0)
                process.stderr.write(`beacon not written: ${String(err)}\n`);
            },
          })
        : null;
      process.stdout.write(
        `falign backend (${config.region}, engine ${config.engine}) listening on ${backend.url}\n`,
      );
      let draining = false;
      // SIGUSR2 toggles draining: the beacon reports the region unhealthy and the edge steers away.
      process.on('SIGUSR2', () => {
        draining = !draining;
        beacon?.drain(draining);
        process.stdout.write(`region ${config.region} ${draining ? 'draining' : 'serving'}\n`);
      });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${signal}: finishing queued work and stopping\n`);
        setTimeout(() => process.exit(1), STOP_GRACE_MS).unref();
        void (beacon?.stop() ?? Promise.resolve())
          .catch(() => {})
          .then(() => backend.close())
          .finally(() => process.exit(0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
