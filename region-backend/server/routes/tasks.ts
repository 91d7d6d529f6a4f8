import { Hono } from 'hono';
import { negotiateFormat } from '../../../shared/formats/index.ts';
import { methodNotAllowed } from '../../../shared/method-not-allowed.ts';
import { taskStatusView } from '../../../shared/tasks.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import type { BackendEnv } from '../env.ts';
import { failedTaskResponse, type RenderResult, resultResponse } from './task-responses.ts';

/**
 * GET /api/tasks/:taskId/status and /result (DESIGN §3). A tenant sees only its own tasks:
 * another tenant's id answers 404 exactly like an unknown one.
 */
export function taskRoutes(deps: { tasks: TaskService; render: RenderResult }): Hono<BackendEnv> {
  const route = new Hono<BackendEnv>();
  route.get('/:taskId/status', async (c) => {
    const record = await deps.tasks.status(c.get('caller').tenant, c.req.param('taskId'));
    return c.json(taskStatusView(record));
  });
  route.get('/:taskId/result', async (c) => {
    const { record, entry } = await deps.tasks.result(
      c.get('caller').tenant,
      c.req.param('taskId'),
    );
    if (record.status === 'failed') return failedTaskResponse(c, record.task_id, record.error);
    if (record.status !== 'completed' || !entry) {
      // Not ready: the status, with where to poll and when.
      return c.json(taskStatusView(record), 202, {
        location: `/api/tasks/${record.task_id}/status`,
        'retry-after': '1',
      });
    }
    const param = c.req.query('format');
    const accept = c.req.header('accept');
    const format =
      param || (accept && accept !== '*/*')
        ? negotiateFormat(param, accept)
        : (record.format ?? 'json');
    return resultResponse(c, entry.result, entry.transcript, format, deps.render);
  });
  route.all('/:taskId/status', methodNotAllowed('GET', 'HEAD'));
  route.all('/:taskId/result', methodNotAllowed('GET', 'HEAD'));
  return route;
}
