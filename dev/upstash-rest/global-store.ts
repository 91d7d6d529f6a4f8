import {
  type RedisServerHandle,
  type StartRedisServerOptions,
  startRedisServer,
} from '../redis-server/index.ts';
import { startUpstashRestServer } from './index.ts';

/** A local stand-in for the global store: a real redis-server behind the Upstash REST dev server. */
export interface LocalGlobalStore {
  /** The redis-server itself: its URL for direct clients, its pid to freeze it. */
  redis: RedisServerHandle;
  /** REST base URL (`UPSTASH_REDIS_REST_URL`). */
  restUrl: string;
  /** Bearer token (`UPSTASH_REDIS_REST_TOKEN`). */
  token: string;
  /** Both as environment variables, for a backend process or config. */
  env: { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string };
  /** Closes the REST server, then stops Redis. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server on a free port and the Upstash-REST-compatible dev server in front of
 * it: what `falign stack`, the tests and the benchmarks use where production uses Upstash.
 *
 * @example
 * ```ts
 * const store = await startLocalGlobalStore({ token: 'dev-token' });
 * const client = new Redis({ url: store.restUrl, token: store.token }); // @upstash/redis
 * await store.stop();
 * ```
 */
export async function startLocalGlobalStore(options: {
  token: string;
  redis?: StartRedisServerOptions;
}): Promise<LocalGlobalStore> {
  const redis = await startRedisServer(options.redis);
  try {
    const rest = await startUpstashRestServer({ redisUrl: redis.url, token: options.token });
    return {
      redis,
      restUrl: rest.url,
      token: options.token,
      env: { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: options.token },
      stop: async () => {
        await rest.close();
        await redis.stop();
      },
    };
  } catch (err) {
    await redis.stop();
    throw err;
  }
}
