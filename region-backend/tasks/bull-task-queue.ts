import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../logging.ts';
import {
  type EnqueueOptions,
  type JobHandlers,
  type JobKind,
  type JobKinds,
  PermanentJobError,
  type QueueDepth,
  RetryLaterJobError,
  type TaskQueue,
} from './task-queue.ts';

export interface BullTaskQueueOptions {
  redisUrl: string;
  region: string;
  /** A worker holds a job this long between lock renewals; a dead worker's job is retaken after it. */
  lockMs: number;
  /** Times a job may be retaken from a dead worker before it fails. */
  maxStalledCount?: number;
  /** How long finished jobs are remembered (so a job id is not run twice), seconds. */
  keepFinishedSeconds: number;
  logger: Logger;
}

/**
 * BullMQ on the region's Redis: one queue for alignments and one for webhook deliveries. A
 * job's worker holds a lock it renews; when the process dies the lock lapses and the stalled
 * check puts the job back, so work survives crashes. Producers fail fast while Redis is down
 * (the caller answers 503); workers reconnect and carry on.
 */
export class BullTaskQueue implements TaskQueue {
  readonly kind = 'bullmq';
  private readonly queues: { [K in JobKind]: Queue };
  private readonly workers: Worker[] = [];
  private lastErrorLog = 0;

  constructor(private readonly options: BullTaskQueueOptions) {
    const producer = {
      connection: { url: options.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
      prefix: 'falign-bull',
    };
    this.queues = {
      align: new Queue(`align-${options.region}`, producer),
      webhook: new Queue(`webhook-${options.region}`, producer),
    };
    for (const q of Object.values(this.queues)) q.on('error', (err) => this.logError('queue', err));
  }

  /** Resolves once the producers are connected (they do not queue commands while offline). */
  async ready(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.waitUntilReady()));
  }

  async add<K extends JobKind>(kind: K, data: JobKinds[K], options: EnqueueOptions): Promise<void> {
    const keep = this.options.keepFinishedSeconds;
    await this.queues[kind].add(kind, data, {
      jobId: options.jobId,
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      removeOnComplete: { age: keep, count: 100_000 },
      removeOnFail: { age: keep, count: 100_000 },
    });
  }

  async remove(kind: JobKind, jobId: string): Promise<void> {
    const job = await this.queues[kind].getJob(jobId);
    if (job && (await job.isDelayed())) await job.remove().catch(() => {});
  }

  async depth(): Promise<QueueDepth> {
    const c = await this.queues.align.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
    };
  }

  start(handlers: JobHandlers, concurrency: number): void {
    const o = this.options;
    const common = {
      connection: { url: o.redisUrl, maxRetriesPerRequest: null },
      prefix: 'falign-bull',
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      maxStalledCount: o.maxStalledCount ?? 5,
    };
    const make = <K extends JobKind>(kind: K, n: number) => {
      const w = new Worker(
        this.queues[kind].name,
        async (job: Job<JobKinds[K]>, token?: string) => {
          const attempts = job.opts.attempts ?? 1;
          try {
            await handlers[kind](job.data, {
              attempt: job.attemptsMade + 1,
              finalAttempt: job.attemptsMade + 1 >= attempts,
            });
          } catch (err) {
            if (err instanceof PermanentJobError) throw new UnrecoverableError(err.message);
            if (err instanceof RetryLaterJobError) {
              // Back to the delayed set without counting an attempt.
              await job.moveToDelayed(Date.now() + err.delayMs, token);
              throw new DelayedError();
            }
            throw err;
          }
        },
        { ...common, concurrency: n },
      );
      w.on('error', (err) => this.logError(`${kind} worker`, err));
      this.workers.push(w);
    };
    make('align', Math.max(1, concurrency));
    make('webhook', 8);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled(Object.values(this.queues).map((q) => q.close()));
  }

  /** Redis outages make every connection complain; one line per few seconds is enough. */
  private logError(where: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 5000) return;
    this.lastErrorLog = now;
    this.options.logger.warn({ where, err: err.message }, 'task queue: regional Redis error');
  }
}
