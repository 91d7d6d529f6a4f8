import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` in
 * `X-Falign-Signature`, the Unix-seconds timestamp in `X-Falign-Timestamp`. Signing the
 * timestamp with the body lets receivers refuse replays of old deliveries.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver side (used by the tests; docs/async.md shows the same check for receivers). */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | null; timestamp: string | null },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(ts)) return false;
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(headers.signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
