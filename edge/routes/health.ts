import { Hono } from 'hono';
import { methodNotAllowed } from '../../shared/method-not-allowed.ts';
import type { EdgeEnv } from '../env.ts';
import { isUsable } from '../regions/rank-regions.ts';
import type { EdgeRuntime } from '../runtime.ts';
import { waitUntilOf } from '../wait-until.ts';

/** GET /health: the edge is up; how many regions it can route to right now. */
export function healthRoutes(rt: EdgeRuntime): Hono<EdgeEnv> {
  const route = new Hono<EdgeEnv>();
  route.get('/health', async (c) => {
    const beacons = await rt.beacons.all(waitUntilOf(c));
    const now = rt.beacons.clock(rt.now());
    const usable = beacons.filter((b) => isUsable(b, now, rt.config.beaconStaleMs)).length;
    return c.json({
      status: 'ok',
      environment: rt.config.environment,
      regions: { known: beacons.length, usable },
    });
  });
  route.all('/health', methodNotAllowed('GET', 'HEAD'));
  return route;
}
