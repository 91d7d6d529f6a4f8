import type { TimingVariables } from 'hono/timing';
import type { ApiKeyRecord } from '../../shared/api-keys.ts';

/** Hono context variables set by the backend's middleware. */
export interface BackendEnv {
  Variables: TimingVariables & {
    requestId: string;
    /** Set by apiKeyAuth: who is calling, and their limits. */
    caller: {
      tenant: string;
      keyId: string;
      rateLimit: ApiKeyRecord['rate_limit'] | null;
      via: 'api-key' | 'edge';
    };
  };
}
