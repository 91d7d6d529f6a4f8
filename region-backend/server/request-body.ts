import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { ProblemError } from '../../shared/problem.ts';

/**
 * A request's whole body as bytes. Under @hono/node-server with a declared Content-Length
 * (which the body-size middleware has already checked) it is read straight from Node's
 * IncomingMessage and joined once: one copy of the upload instead of two plus a web stream (the
 * adapter concatenates the socket's chunks, then copies them into an ArrayBuffer; the `body`
 * stage of Server-Timing shows what is left, see docs/benchmarks.md). Anything else (no length,
 * another runtime, `app.request()` in tests) goes through the Web-standard
 * `Request.arrayBuffer()`.
 *
 * @example
 * ```ts
 * route.post('/', async (c) => parse(c.req.header('content-type'), await readRequestBody(c)));
 * ```
 */
export async function readRequestBody(c: Context): Promise<Uint8Array> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const length = declaredBodyLength(c);
  if (
    incoming &&
    typeof incoming.on === 'function' &&
    !incoming.readableDidRead &&
    length !== null
  ) {
    return readIncoming(incoming, length);
  }
  return new Uint8Array(await c.req.raw.arrayBuffer());
}

/**
 * The body length a request declares (Content-Length, without Transfer-Encoding, a whole
 * number), or null when the body's length is known only once it has been read.
 */
export function declaredBodyLength(c: Context): number | null {
  const declared = c.req.header('content-length');
  if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return null;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

function readIncoming(incoming: IncomingMessage, length: number): Promise<Uint8Array> {
  // Chunks are kept as Node delivers them and joined once at the end (one copy): memory grows
  // with what has arrived, never with what a client merely declares.
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onEnd);
      incoming.off('close', onEnd);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      // Node's parser never delivers more than Content-Length; fewer means the client stopped.
      if (received === length) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      else
        reject(
          new ProblemError(
            'badRequest',
            `the body ended after ${received} of the ${length} bytes its Content-Length declares`,
          ),
        );
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onEnd);
    incoming.on('close', onEnd);
    if (incoming.readableEnded) onEnd();
  });
}
