import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ioredis from 'ioredis';
import { createUpstashRestHandler } from './handler.ts';

/**
 * The ioredis client class. Node gives the named export; a bundler's CommonJS interop (the edge
 * tests' globalSetup runs under the Workers Vite config) may only give the default.
 */
const Redis: typeof ioredis.Redis =
  ioredis.Redis ?? (ioredis as unknown as { default: typeof ioredis.Redis }).default;

export { createUpstashRestHandler, type UpstashRestHandlerOptions } from './handler.ts';

export interface UpstashRestServerOptions {
  /** `redis://host:port` of the real Redis behind the REST API. */
  redisUrl: string;
  /** Bearer token clients must send (`UPSTASH_REDIS_REST_TOKEN`). */
  token: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

export interface UpstashRestServer {
  /** Base URL for `UPSTASH_REDIS_REST_URL`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the Upstash-REST-compatible dev server: the edge and the backends reach a local
 * `redis-server` through it exactly as they reach Upstash in production.
 */
export async function startUpstashRestServer(
  options: UpstashRestServerOptions,
): Promise<UpstashRestServer> {
  if (!options.token) throw new Error('startUpstashRestServer: a token is required');
  const redis = new Redis(options.redisUrl, {
    // Fail requests instead of queueing them forever while Redis is away.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  });
  // Connection errors surface per request as 500s; keep them off the process's error path.
  redis.on('error', () => {});
  const server = createServer(createUpstashRestHandler({ redis, token: options.token }));
  // Clients (the edge, backends) keep their connections open between calls, as with Upstash.
  server.keepAliveTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      redis.disconnect();
    },
  };
}
