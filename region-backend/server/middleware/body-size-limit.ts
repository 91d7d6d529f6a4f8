import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../../../shared/problem.ts';
import { declaredBodyLength } from '../request-body.ts';

/**
 * Caps request bodies, answering 413 problem+json. A declared Content-Length is checked as is
 * (Node's parser never delivers more than it), without touching `c.req.raw.body`: that would
 * turn @hono/node-server's request into a web stream and cost its direct read of the body
 * (see readRequestBody). A body without a length (chunked) is read here, counted, and handed on
 * as bytes, as hono/body-limit does. Before answering 413, the rest of an oversized body is read
 * and thrown away (up to `discardLimitBytes`), because most HTTP clients are still uploading and
 * fail with EPIPE/ECONNRESET instead of reading the 413 if the server stops reading; past that
 * cap the connection is closed instead.
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
  const tooLarge = (drained: boolean) =>
    new ProblemError(
      'payloadTooLarge',
      `the body is over ${options.maxBytes} bytes; ${options.hint}`,
      { headers: drained ? {} : { connection: 'close' } },
    );
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const declared = declaredBodyLength(c);
    if (declared !== null) {
      if (declared <= options.maxBytes) return next();
      throw tooLarge(await discard(c.req.raw.body?.getReader(), 0, discardLimit));
    }
    const body = c.req.raw.body;
    if (!body) return next();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) throw tooLarge(await discard(reader, size, discardLimit));
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks, size) });
    return next();
  };
}

/** Reads and drops the rest of a body; false when it goes past `limit` bytes in all. */
async function discard(
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined,
  seen: number,
  limit: number,
): Promise<boolean> {
  if (!reader) return true;
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
