import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { endTime, setMetric, startTime } from 'hono/timing';
import type { AlignmentResult } from '../../../shared/alignment.ts';
import { methodNotAllowed } from '../../../shared/method-not-allowed.ts';
import type { OutputFormat } from '../../../shared/schemas.ts';
import type { AlignmentService } from '../../alignment/alignment-service.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { parseAlignRequest, preferredWaitSeconds } from '../align-request.ts';
import type { BackendEnv } from '../env.ts';
import { readRequestBody } from '../request-body.ts';
import {
  acceptedResponse,
  failedTaskResponse,
  type RenderResult,
  resultResponse,
} from './task-responses.ts';

export interface AlignRouteDeps {
  service: AlignmentService;
  tasks: TaskService;
  /** Longest a synchronous request may wait, seconds. */
  maxWaitSeconds: number;
  render: RenderResult;
  /** Picks the format from `?format=` / the body field / `Accept`. */
  negotiate(explicit: OutputFormat | null, accept: string | null): OutputFormat;
}

/**
 * POST /api/align (DESIGN §3). Without `Prefer: wait` the request becomes a task: 202 with its
 * id, an estimated wait and Location. With `Prefer: wait=N` uploaded audio is aligned at once
 * (200), and if that takes longer than N s the running alignment is handed over to a task
 * (202). Requests that must be tasks anyway (`audio_url`, `Idempotency-Key`) wait up to N s for
 * their task instead.
 */
export function alignRoute(deps: AlignRouteDeps): Hono<BackendEnv> {
  const route = new Hono<BackendEnv>();
  route.post('/', async (c) => {
    startTime(c, 'body');
    const bytes = await readRequestBody(c);
    endTime(c, 'body');
    startTime(c, 'parse');
    const req = await parseAlignRequest({ contentType: c.req.header('content-type') ?? '', bytes });
    endTime(c, 'parse');
    const tenant = c.get('caller').tenant;
    const fmt = deps.negotiate(req.format, c.req.header('accept') ?? null);
    const preferred = preferredWaitSeconds(c.req.header('prefer') ?? null);
    const idempotencyKey = c.req.header('idempotency-key');

    if (preferred === null || !req.audio || idempotencyKey !== undefined) {
      const accepted = await deps.tasks.submit(tenant, req, { idempotencyKey });
      if (preferred === null) return acceptedResponse(c, accepted);
      const wait = Math.min(preferred, deps.maxWaitSeconds);
      const final = await deps.tasks.waitForFinal(accepted.task_id, wait * 1000, c.req.raw.signal);
      if (final?.status === 'failed') return failedTaskResponse(c, final.task_id, final.error);
      if (final?.status === 'completed') {
        const { entry } = await deps.tasks.result(tenant, final.task_id);
        if (entry) return resultResponse(c, entry.result, entry.transcript, fmt, deps.render);
      }
      return acceptedResponse(c, accepted);
    }

    const wait = Math.min(preferred, deps.maxWaitSeconds);
    const taskId = `task_${randomUUID()}`;
    // The client leaving before the deadline cancels the work; after a hand-over it is the task's.
    const abort = new AbortController();
    let handedOver = false;
    c.req.raw.signal.addEventListener('abort', () => handedOver || abort.abort(), { once: true });
    startTime(c, 'align', 'hash, cache, decode, queue, engine, words');
    const work = deps.service.align({
      audio: req.audio,
      text: req.text,
      language: req.language,
      engine: req.engine,
      taskId,
      signal: abort.signal,
    });
    work.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, wait) * 1000);
    });
    let result: AlignmentResult | null;
    try {
      result = await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      endTime(c, 'align');
    }
    if (result) {
      setMetric(c, 'queue', result.timing.queue_ms);
      setMetric(c, 'engine', result.timing.compute_ms);
      return resultResponse(c, result, req.text, fmt, deps.render);
    }
    handedOver = true;
    return acceptedResponse(c, await deps.tasks.handOver(tenant, taskId, req, work));
  });
  route.all('/', methodNotAllowed('POST'));
  return route;
}
