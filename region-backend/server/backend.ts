import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { negotiateFormat, renderAlignment } from '../../shared/formats/index.ts';
import { INTERNAL_AUTH_HEADER, verifyInternalAuth } from '../../shared/internal-auth.ts';
import { ProblemError } from '../../shared/problem.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { AlignmentService } from '../alignment/alignment-service.ts';
import { EnginePipeline } from '../alignment/engine-pipeline.ts';
import { DecoderPool } from '../audio/decoder-pool.ts';
import {
  GlobalResultCache,
  LocalResultCache,
  type ResultCache,
  TieredResultCache,
} from '../cache/result-cache.ts';
import type { BackendConfig } from '../config.ts';
import type { AlignmentEngine } from '../engines/engine.ts';
import { createEngine, type EngineOptions } from '../engines/registry.ts';
import { openGlobalStore } from '../global-store.ts';
import { ApiKeyService } from '../keys/api-key-service.ts';
import { openKeyStore } from '../keys/open-key-store.ts';
import { createLogger, type Logger } from '../logging.ts';
import { BackendMetrics } from '../metrics.ts';
import {
  InProcessRateLimiter,
  type TenantRateLimiter,
} from '../rate-limit/sliding-window-limiter.ts';
import { UpstashRateLimiter } from '../rate-limit/upstash-rate-limiter.ts';
import { openTaskSystem, type TaskSystem } from '../tasks/open-task-system.ts';
import { createBackendApp } from './app.ts';
import type { BackendEnv } from './env.ts';
import { alignBatchRoutes } from './routes/align-batch.ts';
import type { Readiness } from './routes/health.ts';
import { taskRoutes } from './routes/tasks.ts';

export interface RunningBackend {
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  url: string;
  config: BackendConfig;
  /** Resolves once the engines are loaded (rejects if they fail to load). */
  engineReady: Promise<void>;
  pipeline(): EnginePipeline | null;
  /** Async tasks: queue, store, blob store and workers. */
  tasks: TaskSystem;
  /** Stops accepting requests, finishes queued work, closes engines. */
  close(): Promise<void>;
}

/**
 * Starts one regional backend: HTTP first (so /health answers while a model loads and /ready
 * says why it is not ready yet), then the engines.
 */
export async function startBackend(
  config: BackendConfig,
  options: { logger?: Logger; engines?: () => Promise<AlignmentEngine[]> } = {},
): Promise<RunningBackend> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new BackendMetrics();
  const redis = openGlobalStore(config);

  const cacheLayers: Array<{ layer: 'local' | 'global'; cache: ResultCache }> = [];
  if (config.cacheEntries > 0) {
    cacheLayers.push({
      layer: 'local',
      cache: new LocalResultCache(config.cacheEntries, config.cacheTtlSeconds),
    });
  }
  if (redis)
    cacheLayers.push({
      layer: 'global',
      cache: new GlobalResultCache(redis, config.cacheTtlSeconds),
    });
  const cache = new TieredResultCache(cacheLayers, {
    lookup: (layer, hit) => metrics.observeCache(layer, hit ? 'hit' : 'miss'),
    error: (layer, err) =>
      logger.warn({ layer, err: String(err) }, 'result cache unavailable; serving without it'),
  });

  const keys = new ApiKeyService(openKeyStore(config).store);
  const limiter: TenantRateLimiter = redis
    ? new UpstashRateLimiter(redis)
    : new InProcessRateLimiter();

  let pipeline: EnginePipeline | null = null;
  let loadError: Error | null = null;
  const loaded: AlignmentEngine[] = [];
  const engineOptions: EngineOptions = {
    modelDir: config.modelDir,
    device: config.device,
    threads: config.threads,
    maxBatchSize: config.maxBatchSize,
  };
  const engineReady = (async () => {
    const started = performance.now();
    const engines = options.engines
      ? await options.engines()
      : await loadEngines(config, engineOptions);
    loaded.push(...engines);
    const [primary, fallback] = engines;
    pipeline = new EnginePipeline(
      primary!.info.name,
      [{ engine: primary!, fallback }, ...(fallback ? [{ engine: fallback }] : [])],
      config,
      metrics,
      (engine, err) => logger.error({ engine, err: String(err) }, 'engine fault; answered 503'),
    );
    metrics.trackQueue(() => pipeline!.stats());
    logger.info(
      { engines: engines.map((e) => e.info), ms: Math.round(performance.now() - started) },
      'engines loaded',
    );
  })().catch((err: unknown) => {
    loadError = err instanceof Error ? err : new Error(String(err));
    logger.error({ err: loadError.message }, 'engine failed to load');
    throw loadError;
  });
  engineReady.catch(() => {});

  const notReady = () =>
    new ProblemError(
      'engineUnavailable',
      loadError ? `the engine failed to load: ${loadError.message}` : 'the engine is still loading',
      { extra: { retry_after: loadError ? 60 : 5 } },
    );
  const decoder = new DecoderPool({
    maxSeconds: config.maxAudioSeconds,
    minSeconds: config.minAudioSeconds,
  });
  const service = new AlignmentService({
    engines: {
      get defaultEngine() {
        return pipeline?.defaultEngine ?? config.engine;
      },
      info: (name) => {
        if (!pipeline) throw notReady();
        return pipeline.info(name);
      },
      names: () => pipeline?.names() ?? [],
    },
    run: (name, item, signal) => {
      if (!pipeline) throw notReady();
      return pipeline.run(name, item, signal);
    },
    decode: (bytes) => decoder.decode(bytes),
    units: unitsFor,
    cache,
    limits: { maxTextChars: config.maxTextChars },
    onAligned: (engine, seconds) => metrics.observeAligned(engine, seconds),
  });

  const tasks = await openTaskSystem(config, { service, globalRedis: redis, logger });
  // Workers take tasks only once an engine can run them.
  engineReady.then(
    () => tasks.start(),
    () => {},
  );

  const readiness = (): Readiness => {
    if (loadError) return { ready: false, reason: `engine failed to load: ${loadError.message}` };
    if (!pipeline) return { ready: false, reason: 'engine loading' };
    const s = pipeline.stats();
    const b = pipeline.breakerState();
    if (b.state === 'open' && !b.hasFallback)
      return { ready: false, reason: 'engine breaker open', breaker: b.state };
    if (s.queueDepth >= s.capacity)
      return { ready: false, reason: 'queue full', queue_depth: s.queueDepth };
    return {
      ready: true,
      engine: pipeline.info(pipeline.defaultEngine),
      queue_depth: s.queueDepth,
      breaker: b.state,
    };
  };

  const secret = config.internalSecret;
  const trustEdge = secret
    ? async (req: Request): Promise<BackendEnv['Variables']['caller'] | null> => {
        if (!req.headers.has(INTERNAL_AUTH_HEADER)) return null;
        const auth = await verifyInternalAuth(req.headers, secret, Date.now());
        if (!auth.ok)
          throw new ProblemError('unauthorized', `edge signature refused (${auth.reason})`);
        return { tenant: auth.tenant, keyId: auth.keyId, rateLimit: null, via: 'edge' };
      }
    : undefined;

  const app = createBackendApp({
    region: config.region,
    logger,
    keys,
    limiter,
    trustEdge,
    readiness,
    maxBodyBytes: config.maxBodyBytes,
    metrics,
    observeHttp: metrics.observeHttp,
    align: {
      service,
      tasks: tasks.service,
      maxWaitSeconds: config.maxWaitSeconds,
      render: renderAlignment,
      negotiate: (explicit, accept) => explicit ?? negotiateFormat(undefined, accept),
    },
    apiRoutes: [
      { path: '/api/tasks', app: taskRoutes({ tasks: tasks.service, render: renderAlignment }) },
      {
        path: '/api/align/batch',
        app: alignBatchRoutes({ tasks: tasks.service, maxItems: config.maxBatchItems }),
      },
    ],
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s),
    );
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, region: config.region, engine: config.engine }, 'listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    config,
    engineReady,
    pipeline: () => pipeline,
    tasks,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive connections would otherwise hold close() open.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        await closed;
        // Running tasks finish (or go back to the queue for another process), then the engines stop.
        await tasks.close();
        await pipeline?.drain();
        await Promise.all([...loaded.map((e) => e.close()), decoder.close()]);
      })();
      return closing;
    },
  };
}

async function loadEngines(
  config: BackendConfig,
  options: EngineOptions,
): Promise<AlignmentEngine[]> {
  const primary = await createEngine(config.engine, options);
  if (!config.fallbackEngine || config.fallbackEngine === config.engine) return [primary];
  try {
    return [primary, await createEngine(config.fallbackEngine, options)];
  } catch (err) {
    await primary.close();
    throw err;
  }
}
