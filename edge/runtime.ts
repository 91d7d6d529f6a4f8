import { Redis } from '@upstash/redis';
import { EdgeResultCache } from './cache/edge-result-cache.ts';
import { type EdgeBindings, type EdgeConfig, parseEdgeConfig } from './config.ts';
import { ApiKeyLookup } from './keys/api-key-lookup.ts';
import { TenantRateLimiter } from './rate-limit/tenant-rate-limiter.ts';
import { BeaconSource } from './regions/beacon-source.ts';

/** Everything the edge talks to, built once per isolate from its bindings. */
export interface EdgeRuntime {
  config: EdgeConfig;
  keys: ApiKeyLookup;
  limiter: TenantRateLimiter;
  beacons: BeaconSource;
  cache: EdgeResultCache;
  now(): number;
}

/** Builds the runtime; throws EdgeConfigError on a missing or invalid binding. */
export function createEdgeRuntime(bindings: EdgeBindings): EdgeRuntime {
  const config = parseEdgeConfig(bindings);
  const redis = new Redis({
    url: config.redisUrl,
    token: config.redisToken,
    enableTelemetry: false,
    // The key, rate-limit and cache look-ups of one request go out as one pipeline.
    enableAutoPipelining: true,
    retry: { retries: 1, backoff: () => 20 },
    // Every call is bounded (a frozen store must not hold requests); a timeout is not retried.
    signal: () => AbortSignal.timeout(config.redisTimeoutMs),
  });
  return {
    config,
    keys: new ApiKeyLookup(redis, config.keyCacheTtlMs),
    limiter: new TenantRateLimiter(redis),
    beacons: new BeaconSource(redis, config.beaconCacheTtlMs),
    cache: new EdgeResultCache(redis),
    now: Date.now,
  };
}
