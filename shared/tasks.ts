import { z } from '@hono/zod-openapi';
import type { AlignmentResult } from './alignment.ts';
import { AlignmentResultSchema, OUTPUT_FORMATS, ProblemSchema } from './schemas.ts';

/**
 * Asynchronous tasks (DESIGN §2-§3): the record every region and the edge read from global
 * Redis. A backend writes them; anyone holding the tenant may read them. Keep this file stable:
 * the edge reads these keys and shapes directly.
 *
 * Layout in global Redis (every key has the task TTL):
 * - `taskRedisKey(id)`        JSON TaskRecord (status, progress, timestamps, owner, error)
 * - `taskResultRedisKey(id)`  JSON TaskResultEntry (the AlignmentResult + the transcript as sent),
 *                             written once (SET NX) when the task completes
 * - `batchRedisKey(id)`       JSON BatchRecord (owner + task ids); the summary is computed on read
 * - `idempotencyRedisKey(tenant, key)` JSON IdempotencyEntry
 */
export const TASK_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses after which nothing changes any more. */
export const isFinalTaskStatus = (s: TaskStatus): boolean => s === 'completed' || s === 'failed';

/** Task ids look like `task_<uuid>`; anything else is a 404 without a store lookup. */
export const TASK_ID_PATTERN =
  /^task_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const BATCH_ID_PATTERN =
  /^batch_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const taskRedisKey = (taskId: string) => `falign:task:${taskId}`;
export const taskResultRedisKey = (taskId: string) => `falign:task:${taskId}:result`;
export const batchRedisKey = (batchId: string) => `falign:batch:${batchId}`;
/** `keyHash` is the SHA-256 hex of the client's Idempotency-Key (keys may hold anything). */
export const idempotencyRedisKey = (tenant: string, keyHash: string) =>
  `falign:idem:${tenant}:${keyHash}`;

/** Default lifetime of task records, results and idempotency entries, seconds. */
export const DEFAULT_TASK_TTL_SECONDS = 24 * 3600;

const isoTime = z
  .string()
  .openapi({ description: 'ISO 8601 UTC', example: '2026-01-01T00:00:00.000Z' });

/** The stored record. `tenant` is the owner: other tenants get 404. */
export const TaskRecordSchema = z.object({
  task_id: z.string(),
  tenant: z.string(),
  status: z.enum(TASK_STATUSES),
  /** 0 queued, between while processing, 1 when completed. */
  progress: z.number().min(0).max(1),
  /** Region that accepted the task. */
  region: z.string(),
  batch_id: z.string().optional(),
  /** Result format asked for at submission (GET .../result defaults to it). */
  format: z.enum(OUTPUT_FORMATS).optional(),
  /** Times the task started processing (more than 1 after a crash or a retry). */
  attempts: z.number().int().min(0),
  created_at: isoTime,
  updated_at: isoTime,
  started_at: isoTime.optional(),
  finished_at: isoTime.optional(),
  /** Problem details when failed. */
  error: ProblemSchema.loose().optional(),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

/** What GET /api/tasks/:id/status answers: the record without its owner. */
export const TaskStatusSchema = TaskRecordSchema.omit({ tenant: true }).openapi('TaskStatus');
export type TaskStatusView = z.infer<typeof TaskStatusSchema>;

export function taskStatusView(record: TaskRecord): TaskStatusView {
  const { tenant: _owner, ...view } = record;
  return view;
}

/** Stored once per completed task; the transcript lets any format be rendered later. */
export const TaskResultEntrySchema = z.object({
  result: AlignmentResultSchema,
  transcript: z.string(),
});
export interface TaskResultEntry {
  result: AlignmentResult;
  transcript: string;
}

export const BatchRecordSchema = z.object({
  batch_id: z.string(),
  tenant: z.string(),
  task_ids: z.array(z.string()),
  created_at: isoTime,
});
export type BatchRecord = z.infer<typeof BatchRecordSchema>;

/** GET /api/align/batch/:id: the tasks' statuses summarised. */
export const BatchStatusSchema = z
  .object({
    batch_id: z.string(),
    status: z.enum(['queued', 'processing', 'completed', 'failed', 'partial']).openapi({
      description:
        'completed/failed when every task ended so; partial when all ended, some failed; else processing (queued while none started)',
    }),
    total: z.number().int(),
    counts: z.object({
      queued: z.number().int(),
      processing: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      /** Records that expired or were never written. */
      missing: z.number().int(),
    }),
    tasks: z.array(z.object({ task_id: z.string(), status: z.string() })),
    created_at: isoTime,
  })
  .openapi('BatchStatus');
export type BatchStatus = z.infer<typeof BatchStatusSchema>;

/** Summarises a batch from its tasks' records (null = expired or missing). */
export function summariseBatch(
  batch: BatchRecord,
  records: ReadonlyArray<TaskRecord | null>,
): BatchStatus {
  const counts = { queued: 0, processing: 0, completed: 0, failed: 0, missing: 0 };
  const tasks = batch.task_ids.map((task_id, i) => {
    const status = records[i]?.status ?? 'missing';
    counts[status]++;
    return { task_id, status };
  });
  const total = tasks.length;
  let status: BatchStatus['status'];
  if (counts.completed === total) status = 'completed';
  else if (counts.failed === total) status = 'failed';
  else if (counts.completed + counts.failed + counts.missing === total) status = 'partial';
  else if (counts.queued === total) status = 'queued';
  else status = 'processing';
  return { batch_id: batch.batch_id, status, total, counts, tasks, created_at: batch.created_at };
}

/**
 * Idempotency-Key bookkeeping: the same key and the same payload (by fingerprint) answer the
 * same task (or batch); the same key with another payload is 422.
 */
export const IdempotencyEntrySchema = z.object({
  fingerprint: z.string(),
  /** The task or batch the key created. */
  task_id: z.string().optional(),
  batch_id: z.string().optional(),
  created_at: isoTime,
});
export type IdempotencyEntry = z.infer<typeof IdempotencyEntrySchema>;

/** The 202 body of POST /api/align/batch. */
export const BatchAcceptedSchema = z
  .object({
    status: z.literal('accepted'),
    batch_id: z.string(),
    tasks: z.array(z.object({ task_id: z.string(), index: z.number().int() })),
    estimated_wait_time: z.number(),
  })
  .openapi('BatchAccepted');
export type BatchAccepted = z.infer<typeof BatchAcceptedSchema>;

/** Webhook delivery headers (docs/async.md shows how to verify them). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-falign-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-falign-timestamp';
/** Stable per task and event, for receivers to drop duplicate deliveries. */
export const WEBHOOK_ID_HEADER = 'x-falign-webhook-id';

/** The webhook body: the final status, and the JSON result when completed. */
export const WebhookPayloadSchema = z.object({
  event: z.enum(['task.completed', 'task.failed']),
  task: TaskStatusSchema,
  result: AlignmentResultSchema.optional(),
});
export interface WebhookPayload {
  event: 'task.completed' | 'task.failed';
  task: TaskStatusView;
  result?: AlignmentResult;
}
