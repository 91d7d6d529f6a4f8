import { z } from 'zod';

/**
 * Every setting the regional backend reads, in one place. Sources, lowest to highest
 * precedence: embedded defaults, environment variables (the names below), CLI flags.
 * `loadBackendConfig` validates once at start-up and fails with one clear message that
 * names each bad variable.
 *
 * Keep `BACKEND_ENV` the single list of variable names: the Terraform tests check that the
 * Kubernetes Deployment provides exactly these.
 */
export const BACKEND_ENV = {
  host: 'FA_HOST',
  port: 'FA_PORT',
  region: 'FA_REGION',
  publicUrl: 'FA_PUBLIC_URL',
  latitude: 'FA_LATITUDE',
  longitude: 'FA_LONGITUDE',
  engine: 'FA_ENGINE',
  fallbackEngine: 'FA_FALLBACK_ENGINE',
  modelDir: 'FA_MODEL_DIR',
  device: 'FA_DEVICE',
  threads: 'FA_THREADS',
  maxBatchSize: 'FA_MAX_BATCH_SIZE',
  maxQueueDelayMs: 'FA_MAX_QUEUE_DELAY_MS',
  maxQueueLength: 'FA_MAX_QUEUE_LENGTH',
  maxBodyBytes: 'FA_MAX_BODY_BYTES',
  maxAudioSeconds: 'FA_MAX_AUDIO_SECONDS',
  minAudioSeconds: 'FA_MIN_AUDIO_SECONDS',
  maxTextChars: 'FA_MAX_TEXT_CHARS',
  maxWaitSeconds: 'FA_MAX_WAIT_SECONDS',
  breakerTimeoutMs: 'FA_BREAKER_TIMEOUT_MS',
  breakerErrorPercent: 'FA_BREAKER_ERROR_PERCENT',
  breakerResetMs: 'FA_BREAKER_RESET_MS',
  breakerVolumeThreshold: 'FA_BREAKER_VOLUME_THRESHOLD',
  cacheEntries: 'FA_CACHE_ENTRIES',
  cacheTtlSeconds: 'FA_CACHE_TTL_SECONDS',
  upstashUrl: 'UPSTASH_REDIS_REST_URL',
  upstashToken: 'UPSTASH_REDIS_REST_TOKEN',
  redisUrl: 'FA_REDIS_URL',
  keysFile: 'FA_KEYS_FILE',
  internalSecret: 'FA_INTERNAL_SECRET',
  dataDir: 'FA_DATA_DIR',
  logLevel: 'FA_LOG_LEVEL',
  taskTtlSeconds: 'FA_TASK_TTL_SECONDS',
  taskAttempts: 'FA_TASK_ATTEMPTS',
  taskLockMs: 'FA_TASK_LOCK_MS',
  taskConcurrency: 'FA_TASK_CONCURRENCY',
  maxBatchItems: 'FA_MAX_BATCH_ITEMS',
  blobStore: 'FA_BLOB_STORE',
  fetchAllowHosts: 'FA_FETCH_ALLOW_HOSTS',
  fetchMaxBytes: 'FA_FETCH_MAX_BYTES',
  fetchTimeoutMs: 'FA_FETCH_TIMEOUT_MS',
  webhookSecret: 'FA_WEBHOOK_SECRET',
  webhookAttempts: 'FA_WEBHOOK_ATTEMPTS',
} as const;

export type BackendSettingName = keyof typeof BACKEND_ENV;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

export const backendConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: int(0, 65535).default(8080),
  region: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes')
    .default('local'),
  publicUrl: z.url().optional(),
  latitude: num(-90, 90).default(0),
  longitude: num(-180, 180).default(0),
  engine: z.string().min(1).default('dtw'),
  fallbackEngine: optionalString,
  modelDir: optionalString,
  device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
  threads: int(0, 256).default(0),
  maxBatchSize: int(1, 256).default(8),
  maxQueueDelayMs: int(0, 60_000).default(10),
  maxQueueLength: int(1, 100_000).default(256),
  maxBodyBytes: int(1024, 2 ** 31).default(100 * 1024 * 1024),
  maxAudioSeconds: num(1, 24 * 3600).default(3600),
  minAudioSeconds: num(0, 10).default(0.1),
  maxTextChars: int(1, 10_000_000).default(200_000),
  maxWaitSeconds: num(0, 3600).default(300),
  breakerTimeoutMs: int(100, 3_600_000).default(600_000),
  breakerErrorPercent: int(1, 100).default(50),
  breakerResetMs: int(100, 3_600_000).default(30_000),
  /** Calls in the breaker's rolling window before it may open at all. */
  breakerVolumeThreshold: int(0, 10_000).default(3),
  cacheEntries: int(0, 10_000_000).default(10_000),
  cacheTtlSeconds: int(1, 365 * 24 * 3600).default(7 * 24 * 3600),
  upstashUrl: z.url().optional(),
  upstashToken: optionalString,
  redisUrl: optionalString,
  keysFile: optionalString,
  internalSecret: optionalString,
  dataDir: z.string().default('.data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Lifetime of task records, results and Idempotency-Keys in the task store. */
  taskTtlSeconds: int(60, 90 * 24 * 3600).default(24 * 3600),
  /** Runs of a task that fails for a reason a retry may cure (outages), with backoff. */
  taskAttempts: int(1, 100).default(5),
  /** A worker's job lock; a crashed worker's job is taken up again after about this long. */
  taskLockMs: int(500, 600_000).default(30_000),
  /** Async tasks in flight per process; 0 = twice the engine batch size. */
  taskConcurrency: int(0, 1024).default(0),
  /** Items per POST /api/align/batch. */
  maxBatchItems: int(1, 10_000).default(100),
  /** Where audio waits for its task: auto = redis when FA_REDIS_URL is set, else fs. */
  blobStore: z.enum(['auto', 'fs', 'redis']).default('auto'),
  /** Development only: hosts (or host:port) audio_url/webhook_url may reach despite private addresses. */
  fetchAllowHosts: optionalString,
  fetchMaxBytes: int(1024, 2 ** 31).default(100 * 1024 * 1024),
  fetchTimeoutMs: int(100, 600_000).default(30_000),
  /** HMAC key for webhook signatures; unset: one is generated into FA_DATA_DIR/webhook-secret. */
  webhookSecret: optionalString,
  webhookAttempts: int(1, 50).default(8),
});

export type BackendConfig = z.infer<typeof backendConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates settings from `env` (variable names of BACKEND_ENV) overlaid with `overrides`
 * (e.g. CLI flags; undefined values are ignored).
 */
export function loadBackendConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<BackendSettingName, unknown>> = {},
): BackendConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(BACKEND_ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const [key, v] of Object.entries(overrides)) if (v !== undefined) raw[key] = v;
  const parsed = backendConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const name = BACKEND_ENV[key as BackendSettingName] ?? key;
      return `  ${name} (${key}): ${issue.message}`;
    });
    throw new ConfigError(`invalid backend configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if (cfg.upstashUrl && !cfg.upstashToken) {
    throw new ConfigError(
      `invalid backend configuration:\n  ${BACKEND_ENV.upstashToken}: required when ${BACKEND_ENV.upstashUrl} is set`,
    );
  }
  return cfg;
}
