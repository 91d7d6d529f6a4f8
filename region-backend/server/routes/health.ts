import { Hono } from 'hono';
import { methodNotAllowed } from '../../../shared/method-not-allowed.ts';
import type { BackendEnv } from '../env.ts';

export interface Readiness {
  ready: boolean;
  /** Why not, when not (engine loading, breaker open, queue full). */
  reason?: string;
  [detail: string]: unknown;
}

/**
 * GET /health: the process is alive and serving HTTP (liveness).
 * GET /ready: it can take work now (readiness): engine loaded, breaker not open, queue not full.
 */
export function healthRoutes(region: string, readiness: () => Readiness): Hono<BackendEnv> {
  const route = new Hono<BackendEnv>();
  const started = Date.now();
  route.get('/health', (c) =>
    c.json({ status: 'ok', region, uptime_s: Math.round((Date.now() - started) / 1000) }),
  );
  route.get('/ready', (c) => {
    const r = readiness();
    return c.json({ status: r.ready ? 'ready' : 'not ready', region, ...r }, r.ready ? 200 : 503);
  });
  route.all('/health', methodNotAllowed('GET', 'HEAD'));
  route.all('/ready', methodNotAllowed('GET', 'HEAD'));
  return route;
}
