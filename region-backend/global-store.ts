import { Redis } from '@upstash/redis';
import type { BackendConfig } from './config.ts';

/**
 * The global store (Upstash Redis over REST; locally the project's dev REST server), or null
 * when none is configured and the backend runs on its embedded defaults.
 */
export function openGlobalStore(
  config: Pick<BackendConfig, 'upstashUrl' | 'upstashToken'>,
): Redis | null {
  if (!config.upstashUrl) return null;
  return new Redis({
    url: config.upstashUrl,
    token: config.upstashToken ?? '',
    enableTelemetry: false,
    // Fail fast rather than hang a request on a paused store; callers degrade.
    retry: { retries: 1, backoff: () => 50 },
  });
}
