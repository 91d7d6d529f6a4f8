import type { Redis } from '@upstash/redis';
import {
  type BatchRecord,
  BatchRecordSchema,
  batchRedisKey,
  type IdempotencyEntry,
  IdempotencyEntrySchema,
  idempotencyRedisKey,
  type TaskRecord,
  TaskRecordSchema,
  type TaskResultEntry,
  TaskResultEntrySchema,
  taskRedisKey,
  taskResultRedisKey,
} from '../../shared/tasks.ts';
import type { TaskStore } from './task-store.ts';

/**
 * Tasks in global Redis (Upstash REST; locally the dev REST server in front of redis-server),
 * as JSON strings under the shared/tasks.ts keys, each with the task TTL. Values read back are
 * checked against the shared schemas: a malformed entry reads as missing.
 */
export class RedisTaskStore implements TaskStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async putRecord(record: TaskRecord): Promise<void> {
    await this.redis.set(taskRedisKey(record.task_id), JSON.stringify(record), {
      ex: this.ttlSeconds,
    });
  }

  async getRecord(taskId: string): Promise<TaskRecord | null> {
    return parse(TaskRecordSchema, await this.redis.get(taskRedisKey(taskId)));
  }

  async getRecords(taskIds: readonly string[]): Promise<Array<TaskRecord | null>> {
    if (taskIds.length === 0) return [];
    const values = await this.redis.mget<unknown[]>(...taskIds.map(taskRedisKey));
    return values.map((v) => parse(TaskRecordSchema, v));
  }

  async putResultOnce(record: TaskRecord, entry: TaskResultEntry): Promise<boolean> {
    // One round trip; the result lands before the record that says it is there.
    const [wrote] = await this.redis
      .multi()
      .set(taskResultRedisKey(record.task_id), JSON.stringify(entry), {
        ex: this.ttlSeconds,
        nx: true,
      })
      .set(taskRedisKey(record.task_id), JSON.stringify(record), { ex: this.ttlSeconds })
      .exec<[string | null, string]>();
    return wrote === 'OK';
  }

  async getResult(taskId: string): Promise<TaskResultEntry | null> {
    return parse<TaskResultEntry>(
      TaskResultEntrySchema,
      await this.redis.get(taskResultRedisKey(taskId)),
    );
  }

  async putBatch(batch: BatchRecord): Promise<void> {
    await this.redis.set(batchRedisKey(batch.batch_id), JSON.stringify(batch), {
      ex: this.ttlSeconds,
    });
  }

  async getBatch(batchId: string): Promise<BatchRecord | null> {
    return parse(BatchRecordSchema, await this.redis.get(batchRedisKey(batchId)));
  }

  async claimIdempotencyKey(
    tenant: string,
    keyHash: string,
    entry: IdempotencyEntry,
  ): Promise<IdempotencyEntry | null> {
    const key = idempotencyRedisKey(tenant, keyHash);
    const ok = await this.redis.set(key, JSON.stringify(entry), { ex: this.ttlSeconds, nx: true });
    if (ok === 'OK') return null;
    return parse(IdempotencyEntrySchema, await this.redis.get(key)) ?? entry;
  }

  async releaseIdempotencyKey(tenant: string, keyHash: string): Promise<void> {
    await this.redis.del(idempotencyRedisKey(tenant, keyHash));
  }
}

/** @upstash/redis parses JSON strings on read; accept either form. */
function parse<T>(
  schema: { safeParse(v: unknown): { success: boolean; data?: unknown } },
  raw: unknown,
): T | null {
  if (raw === null || raw === undefined) return null;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  const r = schema.safeParse(value);
  return r.success ? (r.data as T) : null;
}
