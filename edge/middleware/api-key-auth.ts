import type { MiddlewareHandler } from 'hono';
import { keyIdFromHash, looksLikeApiKey, readApiKey } from '../../shared/api-keys.ts';
import { ProblemError } from '../../shared/problem.ts';
import type { EdgeEnv } from '../env.ts';
import { ApiKeyHashes } from '../keys/api-key-hashes.ts';
import type { ApiKeyLookup } from '../keys/api-key-lookup.ts';
import { waitUntilOf } from '../wait-until.ts';

const unauthorized = (detail: string, error?: string) =>
  new ProblemError('unauthorized', detail, {
    headers: {
      'www-authenticate': error
        ? `Bearer realm="falign", error="${error}"`
        : 'Bearer realm="falign"',
    },
  });

/**
 * Requires an API key (`Authorization: Bearer fa_...` or `X-API-Key`), looked up by SHA-256
 * in global Redis (through the isolate's short cache), and sets `c.var.caller`. Unknown and
 * revoked keys are 401; a key store that cannot answer is 503 (auth fails closed).
 */
export function apiKeyAuth(
  keys: ApiKeyLookup,
  defaultRateLimit: { requests: number; window_seconds: number },
): MiddlewareHandler<EdgeEnv> {
  const hashes = new ApiKeyHashes();
  return async (c, next) => {
    const key = readApiKey(c.req.raw.headers);
    if (!key) {
      throw unauthorized('send an API key: Authorization: Bearer fa_... or X-API-Key: fa_...');
    }
    if (!looksLikeApiKey(key)) throw unauthorized('the API key is malformed', 'invalid_token');
    const sha = hashes.of(key);
    let record: Awaited<ReturnType<ApiKeyLookup['find']>>;
    try {
      record = await keys.find(sha, waitUntilOf(c));
    } catch (err) {
      throw new ProblemError('overloaded', 'the key store is unavailable; retry shortly', {
        extra: { retry_after: 2 },
        cause: err,
      });
    }
    if (!record || record.revoked_at) {
      throw unauthorized('the API key is unknown or revoked', 'invalid_token');
    }
    c.set('caller', {
      tenant: record.tenant,
      keyId: record.id || keyIdFromHash(sha),
      rateLimit: record.rate_limit ?? defaultRateLimit,
    });
    await next();
  };
}
