import { join } from 'node:path';
import type { Redis as UpstashRedis } from '@upstash/redis';
import { Redis } from 'ioredis';
import type { AlignmentService } from '../alignment/alignment-service.ts';
import type { BackendConfig } from '../config.ts';
import type { Logger } from '../logging.ts';
import { HostAllowList } from '../net/host-allow-list.ts';
import { SafeFetcher } from '../net/safe-fetcher.ts';
import type { BlobStore } from './blob-store.ts';
import { BullTaskQueue } from './bull-task-queue.ts';
import { FileBlobStore } from './file-blob-store.ts';
import { InProcessTaskQueue } from './in-process-task-queue.ts';
import { MemoryTaskStore } from './memory-task-store.ts';
import { RedisBlobStore } from './redis-blob-store.ts';
import { RedisTaskStore } from './redis-task-store.ts';
import { TaskEvents } from './task-events.ts';
import type { TaskQueue } from './task-queue.ts';
import { TaskRunner } from './task-runner.ts';
import { TaskService } from './task-service.ts';
import type { TaskStore } from './task-store.ts';
import { WaitEstimator } from './wait-estimator.ts';
import { loadWebhookSecret } from './webhook-secret.ts';

export interface TaskSystem {
  service: TaskService;
  runner: TaskRunner;
  /** Starts the workers (once the engines are loaded). */
  start(): void;
  close(): Promise<void>;
}

/**
 * Wires async tasks from the config: BullMQ on FA_REDIS_URL or an in-process queue; task
 * status in global Redis or in process; blobs on disk or in the regional Redis. Without any
 * Redis everything still works in one process, but is not durable (docs/async.md).
 */
export async function openTaskSystem(
  config: BackendConfig,
  deps: { service: AlignmentService; globalRedis: UpstashRedis | null; logger: Logger },
): Promise<TaskSystem> {
  const { logger } = deps;
  const store: TaskStore = deps.globalRedis
    ? new RedisTaskStore(deps.globalRedis, config.taskTtlSeconds)
    : new MemoryTaskStore(config.taskTtlSeconds);

  let queue: TaskQueue;
  if (config.redisUrl) {
    const bull = new BullTaskQueue({
      redisUrl: config.redisUrl,
      region: config.region,
      lockMs: config.taskLockMs,
      // Above the runner's own limit on starts, which fails the task with a problem first.
      maxStalledCount: config.taskAttempts + 3,
      keepFinishedSeconds: Math.min(config.taskTtlSeconds, 24 * 3600),
      logger,
    });
    // Producers do not queue commands while offline; give the connection a moment, but never
    // keep the backend from starting while the regional Redis is away (submissions get 503).
    const connected = await Promise.race([
      bull.ready().then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 5000).unref()),
    ]);
    if (!connected)
      logger.warn('regional Redis not reachable yet; task submissions get 503 until it is');
    queue = bull;
  } else {
    queue = new InProcessTaskQueue();
  }

  let blobRedis: Redis | null = null;
  let blobs: BlobStore;
  const blobKind =
    config.blobStore === 'auto' ? (config.redisUrl ? 'redis' : 'fs') : config.blobStore;
  if (blobKind === 'redis') {
    if (!config.redisUrl) throw new Error('FA_BLOB_STORE=redis needs FA_REDIS_URL');
    blobRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    blobRedis.on('error', () => {});
    blobs = new RedisBlobStore(blobRedis, config.taskTtlSeconds);
  } else {
    blobs = new FileBlobStore(join(config.dataDir, 'blobs'));
  }

  const fetcher = new SafeFetcher({
    allowList: new HostAllowList(config.fetchAllowHosts),
    maxBytes: config.fetchMaxBytes,
    timeoutMs: config.fetchTimeoutMs,
  });
  const concurrency = config.taskConcurrency || config.maxBatchSize * 2;
  const estimator = new WaitEstimator(concurrency);
  const events = new TaskEvents(store);
  const runner = new TaskRunner({
    service: deps.service,
    store,
    blobs,
    queue,
    fetcher,
    events,
    estimator,
    webhook: {
      secret: await loadWebhookSecret(config.webhookSecret, config.dataDir),
      attempts: config.webhookAttempts,
      backoffMs: 1000,
    },
    maxStarts: config.taskAttempts + 2,
    logger,
  });
  const service = new TaskService({
    region: config.region,
    store,
    queue,
    blobs,
    fetcher,
    events,
    estimator,
    runner,
    attempts: config.taskAttempts,
    backoffMs: 1000,
    handoverDelayMs: Math.max(30_000, config.taskLockMs),
    logger,
  });
  logger.info(
    { queue: queue.kind, store: store.kind, blobs: blobs.kind, concurrency },
    queue.kind === 'memory' || store.kind === 'memory'
      ? 'async tasks in process only (not durable): set FA_REDIS_URL and UPSTASH_REDIS_REST_URL for durable tasks'
      : 'async tasks on Redis',
  );
  let started = false;
  return {
    service,
    runner,
    start: () => {
      if (started) return;
      started = true;
      queue.start(runner.handlers(), concurrency);
    },
    close: async () => {
      await queue.close();
      await fetcher.close();
      blobRedis?.disconnect();
    },
  };
}
