import { type Context, Hono } from 'hono';
import { methodNotAllowed } from '../../shared/method-not-allowed.ts';
import { rankForRequest } from '../align/prepare-align.ts';
import type { EdgeEnv } from '../env.ts';
import { forwardToRegions } from '../forward/forward-route.ts';
import type { EdgeRuntime } from '../runtime.ts';
import { waitUntilOf } from '../wait-until.ts';

/** GET /api/tasks/:id/status and /result, proxied to a region (tasks live in global Redis). */
export function taskRoutes(rt: EdgeRuntime): Hono<EdgeEnv> {
  const route = new Hono<EdgeEnv>();
  const proxy = (c: Context<EdgeEnv>) =>
    rankForRequest(c.req.raw, rt, waitUntilOf(c)).then((ranked) =>
      forwardToRegions(c, rt, ranked, null),
    );
  route.get('/:taskId/status', proxy);
  route.get('/:taskId/result', proxy);
  route.all('/:taskId/status', methodNotAllowed('GET', 'HEAD'));
  route.all('/:taskId/result', methodNotAllowed('GET', 'HEAD'));
  return route;
}
