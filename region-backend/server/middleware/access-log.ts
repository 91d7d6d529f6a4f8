import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../logging.ts';
import type { BackendEnv } from '../env.ts';

/**
 * One JSON log line per request: method, path (no query string: it may carry tokens), status,
 * duration, request id, tenant and key id. Never headers, never bodies.
 *
 * @example
 * ```ts
 * app.use(accessLog(logger, (route, status, seconds) => metrics.observe(route, status, seconds)));
 * ```
 */
export function accessLog(
  logger: Logger,
  observe?: (method: string, route: string, status: number, seconds: number) => void,
): MiddlewareHandler<BackendEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const last = routePath(c, -1);
    const route = !last || last.endsWith('*') ? 'unmatched' : last;
    const caller = c.get('caller');
    observe?.(c.req.method, route, c.res.status, seconds);
    if (route === '/health' || route === '/ready' || route === '/metrics') return;
    logger.info(
      {
        request_id: c.get('requestId'),
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        status: c.res.status,
        ms: Math.round(seconds * 1e4) / 10,
        tenant: caller?.tenant,
        key_id: caller?.keyId,
      },
      'request',
    );
  };
}
