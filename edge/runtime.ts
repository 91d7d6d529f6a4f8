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
    // No auto-pipelining: it can put commands of several requests in one HTTP call, made in
    // one request's context, which would tie them all to that request (see single-flight.ts).
    // A request's own look-ups run concurrently anyway.
    enableAutoPipelining: false,
    retry: { retries: 1, backoff: () => 20 },
    // Every call is bounded (a frozen store must not hold requests); a timeout is not retried.
    signal: () => AbortSignal.timeout(config.redisTimeoutMs),
  });
  // A read shared by several requests: the client's bound, its one retry, and a margin.
  const sharedReadBoundMs = 2 * config.redisTimeoutMs + 200;
  return {
    config,
    keys: new ApiKeyLookup(redis, config.keyCacheTtlMs, sharedReadBoundMs),
    limiter: new TenantRateLimiter(redis),
    beacons: new BeaconSource(redis, config.beaconCacheTtlMs, sharedReadBoundMs),
    cache: new EdgeResultCache(redis),
    now: Date.now,
  };
}
