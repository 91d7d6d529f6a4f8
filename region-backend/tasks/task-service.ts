import { randomUUID } from 'node:crypto';
import type { AlignmentResult } from '../../shared/alignment.ts';
import type { Language } from '../../shared/languages.ts';
import { ProblemError } from '../../shared/problem.ts';
import type { OutputFormat } from '../../shared/schemas.ts';
import {
  BATCH_ID_PATTERN,
  type BatchAccepted,
  type BatchStatus,
  type IdempotencyEntry,
  summariseBatch,
  TASK_ID_PATTERN,
  type TaskRecord,
  type TaskResultEntry,
} from '../../shared/tasks.ts';
import { sniffAudioFormat } from '../audio/sniff-format.ts';
import type { Logger } from '../logging.ts';
import { OutboundRefusedError } from '../net/outbound-errors.ts';
import type { SafeFetcher } from '../net/safe-fetcher.ts';
import type { BlobStore } from './blob-store.ts';
import {
  hashIdempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  payloadFingerprint,
  sha256Hex,
} from './idempotency.ts';
import type { TaskEvents } from './task-events.ts';
import type { AlignJob, TaskQueue } from './task-queue.ts';
import type { TaskRunner } from './task-runner.ts';
import type { TaskStore } from './task-store.ts';
import type { WaitEstimator } from './wait-estimator.ts';

/** One alignment to run as a task (an AlignRequest, whatever its wire form). */
export interface TaskSubmission {
  audio: Uint8Array | null;
  audioUrl: string | null;
  text: string;
  language: Language;
  format: OutputFormat | null;
  engine: string | undefined;
  webhookUrl: string | undefined;
}

export interface TaskAccepted {
  task_id: string;
  estimated_wait_time: number;
  /** True when an Idempotency-Key matched an earlier submission. */
  replayed: boolean;
}

export interface TaskServiceDeps {
  region: string;
  store: TaskStore;
  queue: TaskQueue;
  blobs: BlobStore;
  fetcher: SafeFetcher;
  events: TaskEvents;
  estimator: WaitEstimator;
  runner: TaskRunner;
  attempts: number;
  backoffMs: number;
  /** Delay of the safety job queued for a sync request handed over to the task system. */
  handoverDelayMs: number;
  logger: Logger;
}

/**
 * The submitting side of async tasks: checks what can be checked at once (URLs against the
 * SSRF rules, the audio's format by its bytes), stores the record, the audio and the job,
 * answers status and results to their owner only.
 */
export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  get kinds(): { queue: string; store: string; blobs: string } {
    return {
      queue: this.deps.queue.kind,
      store: this.deps.store.kind,
      blobs: this.deps.blobs.kind,
    };
  }

  async submit(
    tenant: string,
    sub: TaskSubmission,
    options: { idempotencyKey?: string | undefined } = {},
  ): Promise<TaskAccepted> {
    this.check(sub);
    const taskId = newTaskId();
    const idem = options.idempotencyKey
      ? await this.claim(tenant, options.idempotencyKey, [fingerprintPart(sub)], {
          task_id: taskId,
        })
      : null;
    if (idem?.existing) {
      if (!idem.existing.task_id) throw conflict();
      return {
        task_id: idem.existing.task_id,
        estimated_wait_time: await this.estimate(),
        replayed: true,
      };
    }
    try {
      await this.enqueue(tenant, taskId, sub, {});
    } catch (err) {
      if (idem) await this.deps.store.releaseIdempotencyKey(tenant, idem.keyHash).catch(() => {});
      throw err;
    }
    return { task_id: taskId, estimated_wait_time: await this.estimate(), replayed: false };
  }

  async submitBatch(
    tenant: string,
    subs: readonly TaskSubmission[],
    options: { idempotencyKey?: string | undefined } = {},
  ): Promise<BatchAccepted & { replayed: boolean }> {
    for (const [i, s] of subs.entries()) this.check(s, i);
    const batchId = `batch_${randomUUID()}`;
    const idem = options.idempotencyKey
      ? await this.claim(tenant, options.idempotencyKey, subs.map(fingerprintPart), {
          batch_id: batchId,
        })
      : null;
    if (idem?.existing) {
      const batch = idem.existing.batch_id
        ? await this.deps.store.getBatch(idem.existing.batch_id)
        : null;
      if (!batch) throw conflict();
      return {
        status: 'accepted',
        batch_id: batch.batch_id,
        tasks: batch.task_ids.map((task_id, index) => ({ task_id, index })),
        estimated_wait_time: await this.estimate(),
        replayed: true,
      };
    }
    const taskIds = subs.map(() => newTaskId());
    try {
      await this.deps.store.putBatch({
        batch_id: batchId,
        tenant,
        task_ids: taskIds,
        created_at: new Date().toISOString(),
      });
      for (let i = 0; i < subs.length; i++) {
        await this.enqueue(tenant, taskIds[i]!, subs[i]!, { batchId });
      }
    } catch (err) {
      if (idem) await this.deps.store.releaseIdempotencyKey(tenant, idem.keyHash).catch(() => {});
      throw err;
    }
    return {
      status: 'accepted',
      batch_id: batchId,
      tasks: taskIds.map((task_id, index) => ({ task_id, index })),
      estimated_wait_time: await this.estimate(),
      replayed: false,
    };
  }

  /**
   * A sync request ran out of time: its alignment (still running here) becomes a task. A
   * delayed safety job covers this process dying before it ends.
   */
  async handOver(
    tenant: string,
    taskId: string,
    sub: TaskSubmission,
    work: Promise<AlignmentResult>,
  ): Promise<TaskAccepted> {
    const job = await this.enqueue(tenant, taskId, sub, {
      delayMs: this.deps.handoverDelayMs,
      processing: true,
    });
    this.deps.runner.adopt(job, work);
    return { task_id: taskId, estimated_wait_time: await this.estimate(), replayed: false };
  }

  /** The owner's task record; 404 for an unknown id and for another tenant's task alike. */
  async status(tenant: string, taskId: string): Promise<TaskRecord> {
    const record = TASK_ID_PATTERN.test(taskId) ? await this.deps.store.getRecord(taskId) : null;
    if (!record || record.tenant !== tenant) {
      throw new ProblemError('notFound', `no task '${taskId.slice(0, 80)}' (it may have expired)`);
    }
    return record;
  }

  async result(
    tenant: string,
    taskId: string,
  ): Promise<{ record: TaskRecord; entry: TaskResultEntry | null }> {
    const record = await this.status(tenant, taskId);
    const entry = record.status === 'completed' ? await this.deps.store.getResult(taskId) : null;
    return { record, entry };
  }

  async batchStatus(tenant: string, batchId: string): Promise<BatchStatus> {
    const batch = BATCH_ID_PATTERN.test(batchId) ? await this.deps.store.getBatch(batchId) : null;
    if (!batch || batch.tenant !== tenant) {
      throw new ProblemError(
        'notFound',
        `no batch '${batchId.slice(0, 80)}' (it may have expired)`,
      );
    }
    return summariseBatch(batch, await this.deps.store.getRecords(batch.task_ids));
  }

  waitForFinal(taskId: string, ms: number, signal?: AbortSignal): Promise<TaskRecord | null> {
    return this.deps.events.waitForFinal(taskId, ms, signal);
  }

  /** Seconds a task submitted now waits, from queue depth and recent throughput. */
  async estimate(): Promise<number> {
    try {
      const d = await this.deps.queue.depth();
      return this.deps.estimator.estimate(d.waiting + d.active);
    } catch {
      return this.deps.estimator.estimate(0);
    }
  }

  private check(sub: TaskSubmission, index?: number): void {
    const where = index === undefined ? '' : `items[${index}].`;
    for (const [field, url] of [
      ['audio_url', sub.audioUrl],
      ['webhook_url', sub.webhookUrl],
    ] as const) {
      if (!url) continue;
      try {
        this.deps.fetcher.vet(url);
      } catch (err) {
        if (err instanceof OutboundRefusedError) {
          throw new ProblemError('validation', `${where}${field} refused: ${err.message}`, {
            extra: { field: `${where}${field}` },
          });
        }
        throw err;
      }
    }
    if (sub.audio) sniffAudioFormat(sub.audio);
  }

  private async claim(
    tenant: string,
    key: string,
    parts: Array<Record<string, unknown>>,
    target: Pick<IdempotencyEntry, 'task_id' | 'batch_id'>,
  ): Promise<{ keyHash: string; existing: IdempotencyEntry | null }> {
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new ProblemError(
        'validation',
        `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
        { extra: { field: 'Idempotency-Key' } },
      );
    }
    const keyHash = hashIdempotencyKey(key);
    const fingerprint = payloadFingerprint(parts);
    const existing = await this.storeCall(() =>
      this.deps.store.claimIdempotencyKey(tenant, keyHash, {
        fingerprint,
        ...target,
        created_at: new Date().toISOString(),
      }),
    );
    if (existing && existing.fingerprint !== fingerprint) throw conflict();
    return { keyHash, existing };
  }

  private async enqueue(
    tenant: string,
    taskId: string,
    sub: TaskSubmission,
    options: { batchId?: string; delayMs?: number; processing?: boolean },
  ): Promise<AlignJob> {
    const now = new Date().toISOString();
    const record: TaskRecord = {
      task_id: taskId,
      tenant,
      status: options.processing ? 'processing' : 'queued',
      progress: options.processing ? 0.1 : 0,
      region: this.deps.region,
      attempts: options.processing ? 1 : 0,
      created_at: now,
      updated_at: now,
      ...(options.processing ? { started_at: now } : {}),
      ...(options.batchId ? { batch_id: options.batchId } : {}),
      ...(sub.format ? { format: sub.format } : {}),
    };
    const job: AlignJob = {
      taskId,
      tenant,
      text: sub.text,
      language: sub.language,
      engine: sub.engine,
      format: sub.format ?? undefined,
      ...(sub.audio ? { blobId: taskId } : { audioUrl: sub.audioUrl ?? undefined }),
      webhookUrl: sub.webhookUrl,
    };
    await this.storeCall(
      async () => {
        if (sub.audio) await this.deps.blobs.put(taskId, sub.audio);
        await this.deps.store.putRecord(record);
        await this.deps.queue.add('align', job, {
          jobId: taskId,
          attempts: this.deps.attempts,
          backoffMs: this.deps.backoffMs,
          ...(options.delayMs ? { delayMs: options.delayMs } : {}),
        });
      },
      sub.audio ? taskId : null,
    );
    return job;
  }

  /** Store or queue outages are a 503 with Retry-After, never a 500. */
  private async storeCall<T>(fn: () => Promise<T>, blobId: string | null = null): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      if (blobId) await this.deps.blobs.delete(blobId).catch(() => {});
      this.deps.logger.warn({ err: (err as Error).message }, 'task store or queue unavailable');
      throw new ProblemError('overloaded', 'the task queue is unavailable; retry shortly', {
        extra: { retry_after: 5 },
      });
    }
  }
}

function newTaskId(): string {
  return `task_${randomUUID()}`;
}

function conflict(): ProblemError {
  return new ProblemError(
    'idempotencyConflict',
    'this Idempotency-Key was used with a different payload; use a new key for a new request',
    { extra: { field: 'Idempotency-Key' } },
  );
}

function fingerprintPart(sub: TaskSubmission): Record<string, unknown> {
  return {
    audio: sub.audio ? sha256Hex(sub.audio) : null,
    audio_url: sub.audioUrl,
    text: sub.text,
    language: sub.language,
    format: sub.format,
    engine: sub.engine ?? null,
    webhook_url: sub.webhookUrl ?? null,
  };
}
