import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { AlignmentResult } from '../../../shared/alignment.ts';
import { ProblemError } from '../../../shared/problem.ts';
import type { OutputFormat } from '../../../shared/schemas.ts';
import type { AlignmentService } from '../../alignment/alignment-service.ts';
import { parseAlignRequest, preferredWaitSeconds } from '../align-request.ts';
import type { BackendEnv } from '../env.ts';

export interface AlignRouteDeps {
  service: AlignmentService;
  /** Longest a synchronous request may wait, seconds. */
  maxWaitSeconds: number;
  /** Renders a result in a non-JSON format. */
  render(
    result: AlignmentResult,
    transcript: string,
    format: OutputFormat,
  ): { body: string; contentType: string };
  /** Picks the format from `?format=` / the body field / `Accept`. */
  negotiate(explicit: OutputFormat | null, accept: string | null): OutputFormat;
}

/** POST /api/align: multipart or JSON in, word timings out (DESIGN §3). */
export function alignRoute(deps: AlignRouteDeps): Hono<BackendEnv> {
  const route = new Hono<BackendEnv>();
  route.post('/', async (c) => {
    const req = await parseAlignRequest(c.req.raw);
    if (!req.audio) {
      throw new ProblemError(
        'validation',
        'audio_url is accepted for asynchronous tasks only; upload the audio',
        {
          extra: { field: 'audio_url' },
        },
      );
    }
    const fmt = deps.negotiate(req.format, c.req.header('accept') ?? null);
    const wait = Math.min(
      preferredWaitSeconds(c.req.header('prefer') ?? null) ?? deps.maxWaitSeconds,
      deps.maxWaitSeconds,
    );
    const deadline = AbortSignal.timeout(Math.max(1, wait) * 1000);
    const signal = AbortSignal.any([c.req.raw.signal, deadline]);
    let result: AlignmentResult;
    try {
      result = await deps.service.align({
        audio: req.audio,
        text: req.text,
        language: req.language,
        engine: req.engine,
        taskId: `task_${randomUUID()}`,
        signal,
      });
    } catch (err) {
      if (deadline.aborted && !(err instanceof ProblemError)) {
        throw new ProblemError(
          'timeout',
          `no result within ${wait} s; retry later or submit an asynchronous task`,
          {
            extra: { retry_after: Math.ceil(wait) },
          },
        );
      }
      throw err;
    }
    c.header('x-cache', result.cached ? 'HIT' : 'MISS');
    if (fmt === 'json') return c.json(result);
    const out = deps.render(result, req.text, fmt);
    return c.body(out.body, 200, { 'content-type': out.contentType });
  });
  return route;
}
