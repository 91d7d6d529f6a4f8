import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { renderAlignment } from '../../shared/formats/index.ts';
import { methodNotAllowed } from '../../shared/method-not-allowed.ts';
import { prepareAlign, rankForRequest } from '../align/prepare-align.ts';
import { readCappedBody } from '../align/read-body.ts';
import type { CacheHit, EdgeEnv } from '../env.ts';
import { forwardToRegions } from '../forward/forward-route.ts';
import type { EdgeRuntime } from '../runtime.ts';
import { waitUntilOf } from '../wait-until.ts';

/**
 * Starts the caller-independent work of POST /api/align before authentication runs, so the
 * key check, the rate limit and the body/hash/cache work overlap. Mounted ahead of the auth
 * middleware; the route handler awaits it only after auth and rate limit have passed.
 */
export function startAlignPreparation(rt: EdgeRuntime): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const prep = prepareAlign(c.req.raw, rt, waitUntilOf(c));
    prep.catch(() => {});
    c.set('alignPrep', prep);
    await next();
    // When auth or the rate limit refused the request, the body may still be arriving: let
    // the read finish (it is capped) so no I/O of this request outlives its response.
    await prep.catch(() => {});
  };
}

/** POST /api/align, POST /api/align/batch and GET /api/align/batch/:id, after auth and rate limit. */
export function alignRoutes(rt: EdgeRuntime): Hono<EdgeEnv> {
  const route = new Hono<EdgeEnv>();

  route.post('/', async (c) => {
    const prep = await c.get('alignPrep');
    const timing = () =>
      `body;dur=${prep.timing.bodyMs}` +
      (prep.timing.cacheMs === null ? '' : `, cache;dur=${prep.timing.cacheMs}`);
    const answerHit = (hit: CacheHit) => {
      const out = renderAlignment(hit.result, hit.transcript, hit.format);
      return c.body(out.body, 200, {
        'content-type': out.contentType,
        'x-cache': 'HIT',
        'x-served-by': 'edge',
        'server-timing': timing(),
      });
    };
    if (prep.hit) return answerHit(prep.hit);
    const started = Date.now();
    const forwarded = (res: Response) => {
      res.headers.append('server-timing', `${timing()}, region;dur=${Date.now() - started}`);
      return res;
    };
    if (!prep.globalHit) return forwarded(await forwardToRegions(c, rt, prep.ranked, prep.body));
    // The global-cache read and the forward run side by side, so a miss costs the slower of the
    // two rather than their sum. A hit that comes back before the region's headers is answered
    // here and the region request is aborted (the region would have answered it from the same
    // cache, without its engine); once the region has answered, its response stands.
    const abort = new AbortController();
    const forwarding = forwardToRegions(c, rt, prep.ranked, prep.body, abort.signal);
    const globalHit = prep.globalHit;
    type First = { hit: CacheHit } | { res: Response } | { err: unknown };
    const regionSettled: Promise<First> = forwarding.then(
      (res) => ({ res }),
      (err: unknown) => ({ err }),
    );
    const first = await Promise.race<First>([
      regionSettled,
      globalHit.then((hit) => (hit ? { hit } : regionSettled)),
    ]);
    if ('hit' in first) {
      abort.abort(new Error('answered from the edge cache'));
      forwarding.catch(() => {});
      return answerHit(first.hit);
    }
    if ('res' in first) return forwarded(first.res);
    // No region could answer: a hit still can.
    const hit = await globalHit;
    if (hit) return answerHit(hit);
    throw first.err;
  });

  route.post('/batch', async (c) => {
    const max = rt.config.maxSyncBodyBytes;
    const [body, ranked] = await Promise.all([
      readCappedBody(
        c.req.raw,
        max,
        `the batch body is over ${max} bytes; send items with audio_url, or split the batch`,
      ),
      rankForRequest(c.req.raw, rt, waitUntilOf(c)),
    ]);
    return forwardToRegions(c, rt, ranked, body);
  });

  // A batch's summary lives in global Redis with its tasks: any region answers it.
  route.get('/batch/:batchId', async (c) =>
    forwardToRegions(c, rt, await rankForRequest(c.req.raw, rt, waitUntilOf(c)), null),
  );
  route.all('/', methodNotAllowed('POST'));
  route.all('/batch', methodNotAllowed('POST'));
  route.all('/batch/:batchId', methodNotAllowed('GET', 'HEAD'));

  return route;
}
