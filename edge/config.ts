import { INTERNAL_SECRET_MIN_LENGTH } from '../shared/internal-auth.ts';

/** The worker's bindings: vars from wrangler.toml and secrets (see its header). All strings. */
export interface EdgeBindings {
  ENVIRONMENT?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  FA_INTERNAL_SECRET?: string;
  CORS_ORIGINS?: string;
  MAX_SYNC_BODY_BYTES?: string;
  FORWARD_DEADLINE_MS?: string;
  ATTEMPT_TIMEOUT_MS?: string;
  MAX_ATTEMPTS?: string;
  KEY_CACHE_TTL_MS?: string;
  BEACON_CACHE_TTL_MS?: string;
  BEACON_STALE_MS?: string;
  ALLOW_LOCATION_OVERRIDE?: string;
}

/** The edge's typed, validated configuration. */
export interface EdgeConfig {
  environment: 'dev' | 'staging' | 'production';
  redisUrl: string;
  redisToken: string;
  internalSecret: string;
  /** `'*'` or an explicit list. */
  corsOrigins: '*' | string[];
  maxSyncBodyBytes: number;
  forwardDeadlineMs: number;
  attemptTimeoutMs: number;
  maxAttempts: number;
  keyCacheTtlMs: number;
  beaconCacheTtlMs: number;
  beaconStaleMs: number;
  allowLocationOverride: boolean;
  /** Applied when a key record carries no limit. */
  defaultRateLimit: { requests: number; window_seconds: number };
  /**
   * Longest wait for one global-Redis call. Upstash answers an edge in milliseconds; a store
   * that takes longer is treated as down: an unknown key is then a fast 503 (auth fails
   * closed), a rate-limit check lets the request through, a cache look-up is a miss.
   */
  redisTimeoutMs: number;
}

/** A missing or invalid binding: a deploy mistake, answered as a 500 without details. */
export class EdgeConfigError extends Error {
  override readonly name = 'EdgeConfigError';
}

function integer(bindings: EdgeBindings, name: keyof EdgeBindings, fallback: number, min = 0) {
  const raw = bindings[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new EdgeConfigError(`${name} must be an integer >= ${min}, got '${raw}'`);
  }
  return n;
}

function required(bindings: EdgeBindings, name: keyof EdgeBindings): string {
  const v = bindings[name];
  if (!v) throw new EdgeConfigError(`${name} is not set (see wrangler.toml)`);
  return v;
}

/** Reads and checks the bindings once per isolate. */
export function parseEdgeConfig(bindings: EdgeBindings): EdgeConfig {
  const environment = bindings.ENVIRONMENT ?? 'production';
  if (environment !== 'dev' && environment !== 'staging' && environment !== 'production') {
    throw new EdgeConfigError(
      `ENVIRONMENT must be dev, staging or production, got '${environment}'`,
    );
  }
  const internalSecret = required(bindings, 'FA_INTERNAL_SECRET');
  if (internalSecret.length < INTERNAL_SECRET_MIN_LENGTH) {
    throw new EdgeConfigError(
      `FA_INTERNAL_SECRET must be at least ${INTERNAL_SECRET_MIN_LENGTH} characters`,
    );
  }
  const origins = (bindings.CORS_ORIGINS ?? '*').trim();
  return {
    environment,
    redisUrl: required(bindings, 'UPSTASH_REDIS_REST_URL'),
    redisToken: required(bindings, 'UPSTASH_REDIS_REST_TOKEN'),
    internalSecret,
    corsOrigins:
      origins === '*'
        ? '*'
        : origins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    maxSyncBodyBytes: integer(bindings, 'MAX_SYNC_BODY_BYTES', 25 * 1024 * 1024, 1),
    forwardDeadlineMs: integer(bindings, 'FORWARD_DEADLINE_MS', 65_000, 1),
    attemptTimeoutMs: integer(bindings, 'ATTEMPT_TIMEOUT_MS', 60_000, 1),
    maxAttempts: integer(bindings, 'MAX_ATTEMPTS', 3, 1),
    keyCacheTtlMs: integer(bindings, 'KEY_CACHE_TTL_MS', 5_000),
    beaconCacheTtlMs: integer(bindings, 'BEACON_CACHE_TTL_MS', 1_000),
    beaconStaleMs: integer(bindings, 'BEACON_STALE_MS', 6_000, 1),
    // Never in production, whatever the var says: a client must not choose its own location.
    allowLocationOverride: environment === 'dev' && bindings.ALLOW_LOCATION_OVERRIDE === 'true',
    defaultRateLimit: { requests: 60, window_seconds: 60 },
    redisTimeoutMs: 500,
  };
}
