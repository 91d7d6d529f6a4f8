import type { MiddlewareHandler } from 'hono';
import { readApiKey } from '../../../shared/api-keys.ts';
import { ProblemError } from '../../../shared/problem.ts';
import type { ApiKeyService } from '../../keys/api-key-service.ts';
import type { BackendEnv } from '../env.ts';

export interface ApiKeyAuthOptions {
  keys: ApiKeyService;
  /**
   * Trusts a request the edge already authenticated (signed internal header). Returns the
   * caller, or null when the request carries no such header. Throws when it carries a bad one.
   */
  trustEdge?: (req: Request) => Promise<BackendEnv['Variables']['caller'] | null>;
}

/**
 * Requires an API key (`Authorization: Bearer fa_...` or `X-API-Key`) or a valid edge
 * signature, and sets `c.var.caller`. The key is never logged or echoed.
 *
 * @example
 * ```ts
 * app.use('/api/*', apiKeyAuth({ keys }));
 * app.get('/api/whoami', (c) => c.json({ tenant: c.var.caller.tenant }));
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): MiddlewareHandler<BackendEnv> {
  return async (c, next) => {
    const fromEdge = options.trustEdge ? await options.trustEdge(c.req.raw) : null;
    if (fromEdge) {
      c.set('caller', fromEdge);
      return next();
    }
    const key = readApiKey(c.req.raw.headers);
    if (!key) {
      throw new ProblemError(
        'unauthorized',
        'send an API key: Authorization: Bearer fa_... or X-API-Key: fa_...',
        {
          headers: { 'www-authenticate': 'Bearer realm="falign"' },
        },
      );
    }
    const record = await options.keys.verify(key);
    if (!record) {
      throw new ProblemError('unauthorized', 'the API key is unknown or revoked', {
        headers: { 'www-authenticate': 'Bearer realm="falign", error="invalid_token"' },
      });
    }
    c.set('caller', {
      tenant: record.tenant,
      keyId: record.id,
      rateLimit: record.rate_limit,
      via: 'api-key',
    });
    return next();
  };
}
