import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { EdgeConfig } from '../config.ts';
import { CLIENT_LOCATION_HEADER } from '../regions/client-location.ts';

/** Headers a browser client may read from a response. */
const EXPOSED = [
  'X-Request-Id',
  'X-Region',
  'X-Cache',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Server-Timing',
];

/**
 * CORS for browser clients, origins from `CORS_ORIGINS` ("*" or a list). Only a request with
 * an `Origin` header (or a preflight) is a CORS request: others skip Hono's cors, which builds
 * a placeholder Response for every request it sees, and are marked `Vary: Origin`, since a
 * browser's request for the same URL gets the CORS headers they lack.
 *
 * @example
 * app.use(edgeCors(config)); // before the routes
 */
export function edgeCors(config: EdgeConfig): MiddlewareHandler {
  const corsHeaders = honoCors(config);
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' || c.req.raw.headers.has('origin')) {
      return corsHeaders(c, next);
    }
    await next();
    // Every response of the edge is built by the edge, so its headers can still be changed.
    c.res.headers.append('vary', 'Origin');
  };
}

function honoCors(config: EdgeConfig): MiddlewareHandler {
  return cors({
    origin: config.corsOrigins,
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: [
      'Authorization',
      'X-API-Key',
      'Content-Type',
      'Prefer',
      'Accept',
      'X-Request-Id',
      ...(config.allowLocationOverride ? [CLIENT_LOCATION_HEADER] : []),
    ],
    exposeHeaders: EXPOSED,
    maxAge: 600,
  });
}
