import { Hono } from 'hono';
import { methodNotAllowed } from '../../../shared/method-not-allowed.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { parseBatchRequest } from '../align-request.ts';
import type { BackendEnv } from '../env.ts';
import { readRequestBody } from '../request-body.ts';

/**
 * POST /api/align/batch: many alignments, one task each, one batch id (202); GET
 * /api/align/batch/:batchId summarises its tasks. Idempotency-Key covers the whole batch.
 */
export function alignBatchRoutes(deps: { tasks: TaskService; maxItems: number }): Hono<BackendEnv> {
  const route = new Hono<BackendEnv>();
  route.post('/', async (c) => {
    const items = await parseBatchRequest(
      { contentType: c.req.header('content-type') ?? '', bytes: await readRequestBody(c) },
      deps.maxItems,
    );
    const accepted = await deps.tasks.submitBatch(c.get('caller').tenant, items, {
      idempotencyKey: c.req.header('idempotency-key'),
    });
    const { replayed, ...body } = accepted;
    return c.json(body, 202, {
      location: `/api/align/batch/${accepted.batch_id}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  });
  route.get('/:batchId', async (c) =>
    c.json(await deps.tasks.batchStatus(c.get('caller').tenant, c.req.param('batchId'))),
  );
  route.all('/', methodNotAllowed('POST'));
  route.all('/:batchId', methodNotAllowed('GET', 'HEAD'));
  return route;
}
