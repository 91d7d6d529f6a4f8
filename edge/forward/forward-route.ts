import type { Context } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';
import type { EdgeEnv } from '../env.ts';
import type { RankedRegion } from '../regions/rank-regions.ts';
import type { EdgeRuntime } from '../runtime.ts';
import { forwardWithFailover } from './forward-with-failover.ts';
import { buildRegionRequest } from './region-request.ts';

/** Response header naming the region that served the request. */
export const REGION_HEADER = 'x-region';

/**
 * Forwards the current request to the ranked regions with failover and returns the region's
 * response (streamed, not buffered) with `X-Region`. `signal` cancels it while it waits for a
 * region's headers.
 */
export async function forwardToRegions(
  c: Context<EdgeEnv>,
  rt: EdgeRuntime,
  ranked: readonly RankedRegion[],
  body: Uint8Array | null,
  signal?: AbortSignal,
): Promise<Response> {
  const { config } = rt;
  const caller = c.get('caller');
  const outcome = await forwardWithFailover({
    targets: ranked.map((r) => ({ region: r.beacon.region, url: r.beacon.url })),
    deadlineMs: config.forwardDeadlineMs,
    attemptTimeoutMs: config.attemptTimeoutMs,
    maxAttempts: config.maxAttempts,
    signal,
    buildRequest: (target, signal) =>
      buildRegionRequest({
        incoming: c.req.raw,
        baseUrl: target.url,
        body,
        caller,
        requestId: c.get('requestId'),
        secret: config.internalSecret,
        signal,
        now: rt.now(),
      }),
  });
  // Through the context, so the headers set on the way (RateLimit) are on it too; it copies
  // the region's headers into a response of its own, which can then be changed.
  const res = c.newResponse(outcome.response.body, {
    status: outcome.response.status as StatusCode,
    headers: outcome.response.headers,
  });
  res.headers.set(REGION_HEADER, outcome.region);
  res.headers.set('x-request-id', c.get('requestId'));
  return res;
}
