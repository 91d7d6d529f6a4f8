import { createHash } from 'node:crypto';

/** Longest Idempotency-Key accepted (IETF draft: a string; we bound it). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** SHA-256 hex of the key itself: keys may hold any characters, Redis key names may not. */
export const hashIdempotencyKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * A payload's fingerprint for Idempotency-Key checks: the same request (same audio bytes or
 * URL, transcript, language, options) gives the same value; anything else differs.
 */
export function payloadFingerprint(parts: ReadonlyArray<Record<string, unknown>>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const sorted = Object.fromEntries(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1)));
    h.update(JSON.stringify(sorted));
    h.update('\n');
  }
  return h.digest('hex');
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
