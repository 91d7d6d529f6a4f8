import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis as UpstashRedis } from '@upstash/redis';
import { ApiKeyService, type CreatedKey } from '../../region-backend/keys/api-key-service.ts';
import { RedisApiKeyStore } from '../../region-backend/keys/redis-api-key-store.ts';
import { findFreePort } from '../redis-server/index.ts';
import { startLocalGlobalStore } from '../upstash-rest/global-store.ts';
import { startWranglerDev } from './wrangler-dev.ts';

/** A region of the local stack: a name and where it pretends to be. */
export interface RegionSpec {
  region: string;
  latitude: number;
  longitude: number;
}

export const DEFAULT_REGIONS: RegionSpec[] = [
  { region: 'us-east', latitude: 39.04, longitude: -77.49 },
  { region: 'eu-west', latitude: 53.35, longitude: -6.26 },
];

export interface LocalStackOptions {
  /** Repository root. */
  cwd: string;
  /** Port of the edge (`wrangler dev`). */
  edgePort?: number;
  regions?: RegionSpec[];
  /** Default engine of every backend (FA_ENGINE); the backends' own default when unset. */
  engine?: string;
  /** Extra FA_* variables for every backend. */
  backendEnv?: Record<string, string>;
  /** Child processes' output: shown (prefixed) or dropped. */
  verbose?: boolean;
  /** How long a backend may take to become ready (engine load). */
  readyTimeoutMs?: number;
  /** Serve the edge from a bundle built at start (no reload on source edits); for tests. */
  frozenEdge?: boolean;
  /** Aborting it while the stack starts stops what was started and rejects. */
  signal?: AbortSignal;
}

/** A running backend process of the stack. */
export interface StackRegion extends RegionSpec {
  url: string;
  pid: number;
  /** Sends a signal (SIGKILL to kill it mid-run, SIGUSR2 to toggle draining). */
  signal(sig: NodeJS.Signals): void;
  exited: Promise<void>;
}

export interface LocalStack {
  edgeUrl: string;
  restUrl: string;
  restToken: string;
  redisUrl: string;
  regions: StackRegion[];
  /** A client of the stack's global Redis, and the key service on it. */
  redis: UpstashRedis;
  keys: ApiKeyService;
  /** The dev API key created at start. */
  apiKey: CreatedKey;
  /** Stops every process the stack started. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pipeOutput(child: ChildProcess, prefix: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`backend at ${url} exited (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`backend at ${url} not ready in time`);
    await sleep(250);
  }
}

/**
 * The whole system on one machine (issue 7): a real `redis-server`, the Upstash-REST-compatible
 * dev server in front of it, one backend process per region (with its beacon), and the edge
 * under `wrangler dev`. Everything it starts, it stops.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  const onAbort = () => void stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const checkAbort = () => {
    if (options.signal?.aborted) throw new Error('the stack was stopped while starting');
  };
  try {
    // Redis and the backends get process groups of their own: a terminal's Ctrl-C reaches only
    // this process, which stops the edge, then the backends (draining, Redis still up), then Redis.
    const restToken = randomBytes(24).toString('hex');
    const store = await startLocalGlobalStore({
      token: restToken,
      redis: { ownProcessGroup: true },
    });
    cleanups.push(() => store.stop());
    checkAbort();
    const internalSecret = randomBytes(32).toString('hex');
    const dataDir = await mkdtemp(join(tmpdir(), 'falign-stack-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const regions: StackRegion[] = [];
    const children: ChildProcess[] = [];
    for (const spec of options.regions ?? DEFAULT_REGIONS) {
      const port = await findFreePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawn(
        process.execPath,
        [join(options.cwd, 'bin/run-ts.mjs'), join(options.cwd, 'dev/stack/region-process.ts')],
        {
          cwd: options.cwd,
          detached: true,
          stdio: [
            'ignore',
            options.verbose ? 'pipe' : 'ignore',
            options.verbose ? 'pipe' : 'ignore',
          ],
          env: {
            ...process.env,
            FA_REGION: spec.region,
            FA_HOST: '127.0.0.1',
            FA_PORT: String(port),
            FA_PUBLIC_URL: url,
            FA_LATITUDE: String(spec.latitude),
            FA_LONGITUDE: String(spec.longitude),
            ...store.env,
            FA_INTERNAL_SECRET: internalSecret,
            FA_REDIS_URL: store.redis.url,
            FA_DATA_DIR: join(dataDir, spec.region),
            FA_LOG_LEVEL: process.env.FA_LOG_LEVEL ?? 'warn',
            ...(options.engine ? { FA_ENGINE: options.engine } : {}),
            ...options.backendEnv,
          },
        },
      );
      if (options.verbose) pipeOutput(child, `[${spec.region}]`);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      children.push(child);
      // Never leave a backend behind, even if this process dies without stopping the stack.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      cleanups.push(async () => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
      });
      regions.push({
        ...spec,
        url,
        pid: child.pid!,
        signal: (sig) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        },
        exited,
      });
    }
    const readyTimeout = options.readyTimeoutMs ?? 180_000;
    // The edge needs nothing from the backends to start: bring both up at once.
    const edgeStarting = startWranglerDev({
      cwd: options.cwd,
      port: options.edgePort ?? 8787,
      env: 'dev',
      vars: { UPSTASH_REDIS_REST_URL: store.restUrl },
      secrets: { UPSTASH_REDIS_REST_TOKEN: restToken, FA_INTERNAL_SECRET: internalSecret },
      stdio: options.verbose ? 'inherit' : 'ignore',
      frozen: options.frozenEdge ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    cleanups.push(async () => (await edgeStarting.catch(() => null))?.stop());
    const [edge] = await Promise.all([
      edgeStarting,
      ...regions.map((r, i) => waitReady(r.url, children[i]!, readyTimeout)),
    ]);

    checkAbort();
    const redis = new UpstashRedis({
      url: store.restUrl,
      token: restToken,
      enableTelemetry: false,
    });
    const keys = new ApiKeyService(new RedisApiKeyStore(redis));
    const apiKey = await keys.create({ tenant: 'dev', name: 'falign stack', requests: 120 });
    // The edge routes only to regions whose beacons say ready: wait until it sees them all.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const health = (await (await fetch(`${edge.url}/health`)).json()) as {
        regions?: { usable?: number };
      };
      if ((health.regions?.usable ?? 0) >= regions.length) break;
      if (Date.now() > deadline) throw new Error('the edge does not see every region as usable');
      await sleep(250);
    }
    options.signal?.removeEventListener('abort', onAbort);
    return {
      edgeUrl: edge.url,
      restUrl: store.restUrl,
      restToken,
      redisUrl: store.redis.url,
      regions,
      redis,
      keys,
      apiKey,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Speaks `text` into a WAV with espeak-ng (for the printed example); null without espeak-ng. */
export function synthesiseExample(text: string, path: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('espeak-ng', ['-v', 'en-us', '-w', path, text], { timeout: 10_000 }, (err) =>
      resolve(err ? null : path),
    );
  });
}
