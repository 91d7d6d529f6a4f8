import { ProblemError } from '../../shared/problem.ts';

/**
 * Reads a request body once into one buffer, refusing it (413) as soon as it is known to be
 * over `maxBytes`: from Content-Length before reading, or while streaming when there is none.
 * Holding exactly one copy keeps the isolate under its memory limit and lets failover replay it.
 */
export async function readCappedBody(
  req: Request,
  maxBytes: number,
  tooLargeDetail: string,
): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw new ProblemError('payloadTooLarge', tooLargeDetail, { extra: { max_bytes: maxBytes } });
  }
  if (!req.body) return new Uint8Array(0);
  // A declared length within the cap: the runtime reads it natively into one buffer (HTTP
  // framing guarantees the body is exactly that long).
  if (declared !== null && /^\d+$/.test(declared)) return new Uint8Array(await req.arrayBuffer());
  let buf = new Uint8Array(64 * 1024);
  let length = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.byteLength > maxBytes) {
      await reader.cancel();
      throw new ProblemError('payloadTooLarge', tooLargeDetail, {
        extra: { max_bytes: maxBytes },
      });
    }
    if (length + value.byteLength > buf.byteLength) {
      const grown = new Uint8Array(
        Math.min(maxBytes, Math.max(buf.byteLength * 2, length + value.byteLength)),
      );
      grown.set(buf.subarray(0, length));
      buf = grown;
    }
    buf.set(value, length);
    length += value.byteLength;
  }
  return length === buf.byteLength ? buf : buf.subarray(0, length);
}
