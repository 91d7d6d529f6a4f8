import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ProblemError } from '../../../shared/problem.ts';

/**
 * Hono's bodyLimit, answering 413 problem+json. Before answering, the rest of an oversized body
 * is read and thrown away (up to `discardLimitBytes`), because most HTTP clients are still
 * uploading and fail with EPIPE/ECONNRESET instead of reading the 413 if the server stops
 * reading; past that cap the connection is closed instead.
 *
 * @example
 * ```ts
 * app.use('/api/*', bodySizeLimit({ maxBytes: 100 * 1024 * 1024, hint: 'use audio_url' }));
 * ```
 */
export function bodySizeLimit(options: {
  maxBytes: number;
  hint: string;
  discardLimitBytes?: number;
}): MiddlewareHandler {
  const discardLimit = options.discardLimitBytes ?? Math.max(64 * 1024 * 1024, options.maxBytes);
  return bodyLimit({
    maxSize: options.maxBytes,
    onError: async (c) => {
      const drained = await discardBody(c.req.raw, discardLimit);
      throw new ProblemError(
        'payloadTooLarge',
        `the body is over ${options.maxBytes} bytes; ${options.hint}`,
        {
          headers: drained ? {} : { connection: 'close' },
        },
      );
    },
  });
}

async function discardBody(req: Request, limit: number): Promise<boolean> {
  if (!req.body || req.body.locked) return false;
  const reader = req.body.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel();
        return false;
      }
    }
  } catch {
    return false;
  }
}
