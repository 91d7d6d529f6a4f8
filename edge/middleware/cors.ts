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

/** CORS for browser clients, origins from `CORS_ORIGINS` ("*" or a list). */
export function edgeCors(config: EdgeConfig): MiddlewareHandler {
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
