import type { Context } from 'hono';
import type { AlignmentResult } from '../../../shared/alignment.ts';
import { type ProblemDetails, problemResponse } from '../../../shared/problem.ts';
import type { OutputFormat } from '../../../shared/schemas.ts';
import type { TaskAccepted } from '../../tasks/task-service.ts';
import type { BackendEnv } from '../env.ts';

/** Renders a result in a non-JSON format (shared/formats renderAlignment). */
export type RenderResult = (
  result: AlignmentResult,
  transcript: string,
  format: OutputFormat,
) => { body: string; contentType: string };

/** 202 Accepted for a task, with Location pointing at its status. */
export function acceptedResponse(c: Context<BackendEnv>, accepted: TaskAccepted): Response {
  const headers: Record<string, string> = {
    location: `/api/tasks/${accepted.task_id}/status`,
    'retry-after': String(Math.max(1, Math.ceil(accepted.estimated_wait_time))),
  };
  if (accepted.replayed) headers['idempotent-replayed'] = 'true';
  return c.json(
    {
      status: 'accepted' as const,
      task_id: accepted.task_id,
      estimated_wait_time: accepted.estimated_wait_time,
    },
    202,
    headers,
  );
}

/** A result in the negotiated format, with X-Cache. */
export function resultResponse(
  c: Context<BackendEnv>,
  result: AlignmentResult,
  transcript: string,
  format: OutputFormat,
  render: RenderResult,
): Response {
  c.header('x-cache', result.cached ? 'HIT' : 'MISS');
  if (format === 'json') return c.json(result);
  const out = render(result, transcript, format);
  return c.body(out.body, 200, { 'content-type': out.contentType });
}

/** A failed task's stored problem, answered with its own status and this request's id. */
export function failedTaskResponse(
  c: Context<BackendEnv>,
  taskId: string,
  error: ProblemDetails | undefined,
): Response {
  const body: ProblemDetails = error ?? {
    type: 'https://falign.dev/problems/internal',
    title: 'Internal error',
    status: 500,
    detail: 'the task failed',
  };
  return problemResponse({ ...body, task_id: taskId, request_id: c.get('requestId') });
}
