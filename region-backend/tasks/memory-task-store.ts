import { LRUCache } from 'lru-cache';
import type {
  BatchRecord,
  IdempotencyEntry,
  TaskRecord,
  TaskResultEntry,
} from '../../shared/tasks.ts';
import type { TaskStore } from './task-store.ts';

/**
 * The task store when no global Redis is configured (`falign serve` on a fresh machine): in
 * this process only, lost on restart, not seen by other replicas. Documented as not durable.
 */
export class MemoryTaskStore implements TaskStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, object>;

  constructor(ttlSeconds: number, maxEntries = 200_000) {
    this.entries = new LRUCache({ max: maxEntries, ttl: ttlSeconds * 1000 });
  }

  async putRecord(record: TaskRecord): Promise<void> {
    this.entries.set(`t:${record.task_id}`, structuredClone(record));
  }

  async getRecord(taskId: string): Promise<TaskRecord | null> {
    const r = this.entries.get(`t:${taskId}`) as TaskRecord | undefined;
    return r ? structuredClone(r) : null;
  }

  async getRecords(taskIds: readonly string[]): Promise<Array<TaskRecord | null>> {
    return Promise.all(taskIds.map((id) => this.getRecord(id)));
  }

  async putResultOnce(record: TaskRecord, entry: TaskResultEntry): Promise<boolean> {
    const key = `r:${record.task_id}`;
    const fresh = !this.entries.has(key);
    if (fresh) this.entries.set(key, entry);
    await this.putRecord(record);
    return fresh;
  }

  async getResult(taskId: string): Promise<TaskResultEntry | null> {
    return (this.entries.get(`r:${taskId}`) as TaskResultEntry | undefined) ?? null;
  }

  async putBatch(batch: BatchRecord): Promise<void> {
    this.entries.set(`b:${batch.batch_id}`, batch);
  }

  async getBatch(batchId: string): Promise<BatchRecord | null> {
    return (this.entries.get(`b:${batchId}`) as BatchRecord | undefined) ?? null;
  }

  async claimIdempotencyKey(
    tenant: string,
    keyHash: string,
    entry: IdempotencyEntry,
  ): Promise<IdempotencyEntry | null> {
    const key = `i:${tenant}:${keyHash}`;
    const existing = this.entries.get(key) as IdempotencyEntry | undefined;
    if (existing) return existing;
    this.entries.set(key, entry);
    return null;
  }

  async releaseIdempotencyKey(tenant: string, keyHash: string): Promise<void> {
    this.entries.delete(`i:${tenant}:${keyHash}`);
  }
}
