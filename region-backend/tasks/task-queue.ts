import type { Language } from '../../shared/languages.ts';
import type { OutputFormat } from '../../shared/schemas.ts';

/** The queue payload of one alignment task (regional Redis; the audio sits in the blob store). */
export interface AlignJob {
  taskId: string;
  tenant: string;
  text: string;
  language: Language;
  engine?: string | undefined;
  format?: OutputFormat | undefined;
  /** Blob id of the uploaded audio; absent when `audioUrl` is given. */
  blobId?: string | undefined;
  audioUrl?: string | undefined;
  webhookUrl?: string | undefined;
}

/** A webhook delivery: the task's final state is read from the store when it is sent. */
export interface WebhookJob {
  taskId: string;
  url: string;
}

export interface JobKinds {
  align: AlignJob;
  webhook: WebhookJob;
}
export type JobKind = keyof JobKinds;

export interface EnqueueOptions {
  /** Unique per job: adding a job whose id exists is a no-op (at most one of each). */
  jobId: string;
  attempts: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
  /** Start no earlier than this many ms from now. */
  delayMs?: number;
}

/** What a handler learns about the run it is in. */
export interface JobContext {
  /** 1 on the first run; grows with retries and with recoveries after a crash. */
  attempt: number;
  /** True when a failure now will not be retried. */
  finalAttempt: boolean;
}

/** Throw from a handler to fail a job without retries. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/**
 * Throw from a handler to run the job again after `delayMs` without using up an attempt: the
 * job is not at fault (e.g. the engine's breaker is open), so waiting must not fail it.
 */
export class RetryLaterJobError extends Error {
  override name = 'RetryLaterJobError';

  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
  }
}

export type JobHandlers = {
  [K in JobKind]: (data: JobKinds[K], ctx: JobContext) => Promise<void>;
};

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
}

/**
 * The region's task queue: BullMQ on the regional Redis (durable: a job whose worker dies is
 * picked up again), or in process when no Redis is configured (not durable).
 */
export interface TaskQueue {
  readonly kind: string;
  add<K extends JobKind>(kind: K, data: JobKinds[K], options: EnqueueOptions): Promise<void>;
  /** Removes a job that has not started (e.g. a safety job no longer needed). */
  remove(kind: JobKind, jobId: string): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Starts workers: `concurrency` align jobs at a time in this process. */
  start(handlers: JobHandlers, concurrency: number): void;
  /** Stops taking jobs, waits for running ones, closes connections. */
  close(): Promise<void>;
}
