import type { AlignmentResult } from '../../shared/alignment.ts';
import { type ProblemDetails, ProblemError, problem as problemOf } from '../../shared/problem.ts';
import {
  isFinalTaskStatus,
  type TaskRecord,
  taskStatusView,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookPayload,
} from '../../shared/tasks.ts';
import type { AlignmentService } from '../alignment/alignment-service.ts';
import { sniffAudioFormat } from '../audio/sniff-format.ts';
import type { Logger } from '../logging.ts';
import { OutboundRefusedError } from '../net/outbound-errors.ts';
import type { SafeFetcher } from '../net/safe-fetcher.ts';
import type { BlobStore } from './blob-store.ts';
import type { TaskEvents } from './task-events.ts';
import { taskProblem } from './task-problems.ts';
import {
  type AlignJob,
  type JobContext,
  type JobHandlers,
  PermanentJobError,
  RetryLaterJobError,
  type TaskQueue,
  type WebhookJob,
} from './task-queue.ts';

/** How long a task may wait for an unavailable engine before it fails. */
const MAX_ENGINE_WAIT_MS = 60 * 60 * 1000;

import type { TaskStore } from './task-store.ts';
import type { WaitEstimator } from './wait-estimator.ts';
import { signWebhook } from './webhook-signature.ts';

export interface TaskRunnerDeps {
  service: AlignmentService;
  store: TaskStore;
  blobs: BlobStore;
  queue: TaskQueue;
  fetcher: SafeFetcher;
  events: TaskEvents;
  estimator: WaitEstimator;
  webhook: { secret: string; attempts: number; backoffMs: number };
  /**
   * Processing starts after which a task fails instead of running again: a task whose worker
   * keeps dying (a poison input crashing the process) must not take every backend down.
   */
  maxStarts: number;
  logger: Logger;
  now?: () => Date;
}

/**
 * The worker side: runs an alignment job through the same AlignmentService as the sync path,
 * writes the result once (SET NX) and the final status, deletes the audio, queues the webhook.
 * A job seen again after a crash finds its task already final and only finishes the
 * bookkeeping, so no task is aligned into the results twice.
 */
export class TaskRunner {
  /** Tasks whose alignment already runs in this process (a sync request that timed out). */
  private readonly adopted = new Map<string, Promise<void>>();

  constructor(private readonly deps: TaskRunnerDeps) {}

  handlers(): JobHandlers {
    return {
      align: (job, ctx) => this.runAlign(job, ctx),
      webhook: (job, ctx) => this.deliverWebhook(job, ctx),
    };
  }

  /**
   * Takes over an alignment already running in this process (its sync request ran out of
   * time): its outcome completes or fails the task; a safety job in the queue covers a crash.
   */
  adopt(job: AlignJob, work: Promise<AlignmentResult>): void {
    const done = work.then(
      async (result) => {
        await this.complete(job, result);
        await this.deps.queue.remove('align', job.taskId);
      },
      async (err: unknown) => {
        const { problem, retryable } = taskProblem(err);
        // A retryable failure is left to the safety job.
        if (!retryable) {
          await this.fail(job, problem);
          await this.deps.queue.remove('align', job.taskId);
        }
      },
    );
    const settled = done
      .catch((err: unknown) =>
        this.deps.logger.warn(
          { task: job.taskId, err: String(err) },
          'adopted task: store write failed',
        ),
      )
      .finally(() => this.adopted.delete(job.taskId));
    this.adopted.set(job.taskId, settled);
  }

  async runAlign(job: AlignJob, ctx: JobContext): Promise<void> {
    const local = this.adopted.get(job.taskId);
    if (local) {
      await local;
      const after = await this.deps.store.getRecord(job.taskId);
      if (!after || isFinalTaskStatus(after.status)) return;
    }
    const { store, blobs } = this.deps;
    const record = await store.getRecord(job.taskId);
    if (!record) {
      // Expired (or never written): nothing to report to, only the audio to drop.
      if (job.blobId) await blobs.delete(job.blobId);
      return;
    }
    if (isFinalTaskStatus(record.status)) {
      await this.afterFinal(job, record);
      return;
    }
    if (record.attempts >= this.deps.maxStarts) {
      await this.fail(
        job,
        problemOf(
          'internal',
          `the task was started ${record.attempts} times and did not finish (the process running it stopped each time); not retried`,
        ),
      );
      return;
    }
    const started = performance.now();
    const now = this.now();
    const processing: TaskRecord = {
      ...record,
      status: 'processing',
      progress: 0.1,
      attempts: record.attempts + 1,
      started_at: record.started_at ?? now,
      updated_at: now,
    };
    // Written while the work starts; awaited before any later write so it never lands last.
    const marked = store.putRecord(processing);
    marked.catch(() => {});
    try {
      const audio = await this.audioOf(job);
      const result = await this.deps.service.align({
        audio,
        text: job.text,
        language: job.language,
        engine: job.engine,
        taskId: job.taskId,
      });
      await marked;
      await this.complete(job, result, processing);
      this.deps.estimator.record((performance.now() - started) / 1000);
    } catch (err) {
      await marked.catch(() => {});
      const { problem, retryable } = taskProblem(err);
      // The engine is out of service (breaker open, still loading, failing): the task is not
      // at fault, so it waits for the engine without using up its starts or attempts.
      const waited = Date.parse(this.now()) - Date.parse(record.created_at);
      if (
        err instanceof ProblemError &&
        err.code === 'engineUnavailable' &&
        waited < MAX_ENGINE_WAIT_MS
      ) {
        await store.putRecord({
          ...record,
          status: 'queued',
          error: problem,
          updated_at: this.now(),
        });
        const retryAfter = Number(err.extra.retry_after ?? 5);
        throw new RetryLaterJobError(Math.max(1, retryAfter) * 1000, err.message);
      }
      if (!retryable || ctx.finalAttempt) {
        await this.fail(job, problem);
        this.deps.estimator.record((performance.now() - started) / 1000);
        return;
      }
      const again = await store.getRecord(job.taskId);
      if (again && !isFinalTaskStatus(again.status)) {
        await store.putRecord({
          ...again,
          status: 'queued',
          progress: 0,
          error: problem,
          updated_at: this.now(),
        });
      }
      throw err;
    }
  }

  private async audioOf(job: AlignJob): Promise<Uint8Array> {
    if (job.blobId) {
      const bytes = await this.deps.blobs.get(job.blobId);
      if (!bytes) throw new ProblemError('validation', "the task's audio is no longer stored");
      return bytes;
    }
    if (!job.audioUrl) throw new ProblemError('validation', 'the task has no audio');
    const fetched = await this.deps.fetcher.get(job.audioUrl);
    // Content sniffing: the bytes decide, not the Content-Type the server claims.
    sniffAudioFormat(fetched.bytes);
    return fetched.bytes;
  }

  /** `known` is the record as this run last wrote it (saves a read). */
  private async complete(
    job: AlignJob,
    result: AlignmentResult,
    known?: TaskRecord,
  ): Promise<void> {
    const { store } = this.deps;
    const record = known ?? (await store.getRecord(job.taskId));
    if (!record) return;
    const now = this.now();
    const { error: _previous, ...rest } = record;
    const final: TaskRecord = {
      ...rest,
      status: 'completed',
      progress: 1,
      finished_at: now,
      updated_at: now,
    };
    await store.putResultOnce(final, { result, transcript: job.text });
    await this.afterFinal(job, final);
  }

  private async fail(job: AlignJob, problem: ProblemDetails): Promise<void> {
    const { store } = this.deps;
    const record = await store.getRecord(job.taskId);
    if (!record || isFinalTaskStatus(record.status)) return;
    const now = this.now();
    const final: TaskRecord = {
      ...record,
      status: 'failed',
      error: problem,
      finished_at: now,
      updated_at: now,
    };
    await store.putRecord(final);
    await this.afterFinal(job, final);
  }

  /** Idempotent: runs again harmlessly when a job is retaken after a crash. */
  private async afterFinal(job: AlignJob, record: TaskRecord): Promise<void> {
    if (job.blobId) await this.deps.blobs.delete(job.blobId);
    if (job.webhookUrl) {
      await this.deps.queue.add(
        'webhook',
        { taskId: job.taskId, url: job.webhookUrl },
        {
          jobId: `wh_${job.taskId}`,
          attempts: this.deps.webhook.attempts,
          backoffMs: this.deps.webhook.backoffMs,
        },
      );
    }
    this.deps.events.finished(record);
  }

  async deliverWebhook(job: WebhookJob, ctx: JobContext): Promise<void> {
    const { store, fetcher, logger } = this.deps;
    const record = await store.getRecord(job.taskId);
    if (!record || !isFinalTaskStatus(record.status)) return;
    const entry = record.status === 'completed' ? await store.getResult(job.taskId) : null;
    const payload: WebhookPayload = {
      event: record.status === 'completed' ? 'task.completed' : 'task.failed',
      task: taskStatusView(record),
      ...(entry ? { result: entry.result } : {}),
    };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    try {
      status = await fetcher.post(job.url, body, {
        'content-type': 'application/json',
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.deps.webhook.secret, timestamp, body),
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_ID_HEADER]: `${job.taskId}.${record.status}`,
      });
    } catch (err) {
      if (err instanceof OutboundRefusedError) {
        logger.warn({ task: job.taskId, reason: err.message }, 'webhook refused');
        throw new PermanentJobError(err.message);
      }
      if (ctx.finalAttempt) logger.warn({ task: job.taskId, err: String(err) }, 'webhook given up');
      throw err;
    }
    if (status < 200 || status > 299) {
      if (ctx.finalAttempt) logger.warn({ task: job.taskId, status }, 'webhook given up');
      throw new Error(`webhook receiver answered HTTP ${status}`);
    }
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}
