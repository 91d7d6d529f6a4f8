import type {
  BatchRecord,
  IdempotencyEntry,
  TaskRecord,
  TaskResultEntry,
} from '../../shared/tasks.ts';

/**
 * Task status, results, batches and idempotency keys (shared/tasks.ts shapes). Global Redis
 * when configured, so every region and the edge can answer; in process otherwise.
 */
export interface TaskStore {
  readonly kind: string;
  putRecord(record: TaskRecord): Promise<void>;
  getRecord(taskId: string): Promise<TaskRecord | null>;
  /** Reads many records at once (batch summaries); null for missing ones. */
  getRecords(taskIds: readonly string[]): Promise<Array<TaskRecord | null>>;
  /**
   * Completes a task in one step: writes the result unless one exists (a task is never given
   * two results), then the record. True when this call wrote the result.
   */
  putResultOnce(record: TaskRecord, entry: TaskResultEntry): Promise<boolean>;
  getResult(taskId: string): Promise<TaskResultEntry | null>;
  putBatch(batch: BatchRecord): Promise<void>;
  getBatch(batchId: string): Promise<BatchRecord | null>;
  /** Stores the entry unless the key is taken; returns the existing entry, or null if stored. */
  claimIdempotencyKey(
    tenant: string,
    keyHash: string,
    entry: IdempotencyEntry,
  ): Promise<IdempotencyEntry | null>;
  releaseIdempotencyKey(tenant: string, keyHash: string): Promise<void>;
}
