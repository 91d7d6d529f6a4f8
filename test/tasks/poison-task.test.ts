import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { AlignmentService } from '../../region-backend/alignment/alignment-service.ts';
import { createLogger } from '../../region-backend/logging.ts';
import { HostAllowList } from '../../region-backend/net/host-allow-list.ts';
import { SafeFetcher } from '../../region-backend/net/safe-fetcher.ts';
import { FileBlobStore } from '../../region-backend/tasks/file-blob-store.ts';
import { InProcessTaskQueue } from '../../region-backend/tasks/in-process-task-queue.ts';
import { MemoryTaskStore } from '../../region-backend/tasks/memory-task-store.ts';
import { TaskEvents } from '../../region-backend/tasks/task-events.ts';
import { TaskRunner } from '../../region-backend/tasks/task-runner.ts';
import { WaitEstimator } from '../../region-backend/tasks/wait-estimator.ts';

it('fails a task whose process kept dying instead of starting it again, and drops its audio', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'falign-poison-'));
  const store = new MemoryTaskStore(3600);
  const blobs = new FileBlobStore(dir);
  const queue = new InProcessTaskQueue();
  let aligned = 0;
  const runner = new TaskRunner({
    // Never reached: the runner must give up before aligning.
    service: {
      align: async () => {
        aligned++;
        throw new Error('unreachable');
      },
    } as unknown as AlignmentService,
    store,
    blobs,
    queue,
    fetcher: new SafeFetcher({ allowList: new HostAllowList(''), maxBytes: 1, timeoutMs: 1 }),
    events: new TaskEvents(store),
    estimator: new WaitEstimator(1),
    webhook: { secret: 's', attempts: 1, backoffMs: 1 },
    maxStarts: 3,
    logger: createLogger('silent'),
  });
  const taskId = 'task_00000000-0000-4000-8000-000000000001';
  await blobs.put(taskId, new Uint8Array([1, 2, 3]));
  const now = new Date().toISOString();
  await store.putRecord({
    task_id: taskId,
    tenant: 't',
    status: 'processing',
    progress: 0.1,
    region: 'local',
    attempts: 3,
    created_at: now,
    updated_at: now,
  });
  await runner.runAlign(
    { taskId, tenant: 't', text: 'x', language: 'English', blobId: taskId },
    { attempt: 4, finalAttempt: false },
  );
  const record = await store.getRecord(taskId);
  expect(record?.status).toBe('failed');
  expect(record?.error?.detail).toMatch(/started 3 times/);
  expect(aligned).toBe(0);
  expect(await blobs.get(taskId)).toBeNull();
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});
