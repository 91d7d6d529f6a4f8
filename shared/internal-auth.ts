/**
 * The signed header the edge adds when it forwards a request to a region, so the backend can
 * trust the edge's authentication (DESIGN §2 step 4) without seeing the client's API key.
 *
 * Format: `X-Falign-Internal-Auth: v1.<payload>.<signature>`, where payload is base64url(JSON
 * claims) and signature is base64url(HMAC-SHA256(secret, "v1." + payload)). Web Crypto only,
 * so the same code signs in Workers and verifies in Node.
 */

export const INTERNAL_AUTH_HEADER = 'x-falign-internal-auth';
/** A signature older (or further in the future) than this is refused. */
export const INTERNAL_AUTH_WINDOW_MS = 60_000;
/** Shortest secret accepted: 32 bytes of entropy is what `openssl rand -hex 32` gives. */
export const INTERNAL_SECRET_MIN_LENGTH = 32;
const VERSION = 'v1';

/** What the edge vouches for. */
export interface InternalAuthClaims {
  tenant: string;
  /** Public id of the API key used (never the key itself). */
  keyId: string;
  requestId: string;
  /** Unix ms when the edge signed. */
  issuedAt: number;
}

/** Why a header was refused; `missing` means the request did not come through the edge. */
export type InternalAuthFailure =
  | 'missing'
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid';

export type InternalAuthResult =
  | ({ ok: true } & InternalAuthClaims)
  | { ok: false; reason: InternalAuthFailure };

/** Thrown for a secret that is too short to sign with; a deploy mistake, not a client error. */
export class InternalSecretError extends Error {
  override readonly name = 'InternalSecretError';
}

const encoder = new TextEncoder();
/** Web Crypto's key type, named without relying on the DOM or Workers type libraries. */
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
const keyCache = new Map<string, Promise<HmacKey>>();

function hmacKey(secret: string): Promise<HmacKey> {
  if (secret.length < INTERNAL_SECRET_MIN_LENGTH) {
    throw new InternalSecretError(
      `the internal signing secret must be at least ${INTERNAL_SECRET_MIN_LENGTH} characters`,
    );
  }
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    // One secret per deployment (two while rotating): the cache stays tiny.
    if (keyCache.size >= 4) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** Builds the header value for `claims`. */
export async function signInternalAuth(
  claims: InternalAuthClaims,
  secret: string,
): Promise<string> {
  const payload = toBase64Url(
    encoder.encode(
      JSON.stringify({
        tenant: claims.tenant,
        key_id: claims.keyId,
        request_id: claims.requestId,
        iat: claims.issuedAt,
      }),
    ),
  );
  const signed = `${VERSION}.${payload}`;
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(signed));
  return `${signed}.${toBase64Url(new Uint8Array(sig))}`;
}

function parseClaims(payload: Uint8Array): InternalAuthClaims | null {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(payload));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const { tenant, key_id, request_id, iat } = json as Record<string, unknown>;
  if (typeof tenant !== 'string' || tenant === '') return null;
  if (typeof key_id !== 'string' || typeof request_id !== 'string') return null;
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat)) return null;
  return { tenant, keyId: key_id, requestId: request_id, issuedAt: iat };
}

/**
 * Checks the internal header of a request: signature first (constant-time, by Web Crypto),
 * then the replay window around `now` (Unix ms). Returns the claims, or why it was refused.
 *
 * @example
 * ```ts
 * const auth = await verifyInternalAuth(req.headers, env.FA_INTERNAL_SECRET, Date.now());
 * if (!auth.ok && auth.reason !== 'missing') throw new ProblemError('unauthorized', ...);
 * ```
 */
export async function verifyInternalAuth(
  headers: Headers,
  secret: string,
  now: number,
  windowMs: number = INTERNAL_AUTH_WINDOW_MS,
): Promise<InternalAuthResult> {
  const value = headers.get(INTERNAL_AUTH_HEADER);
  if (value === null) return { ok: false, reason: 'missing' };
  const key = await hmacKey(secret);
  const parts = value.trim().split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || value.length > 4096) {
    return { ok: false, reason: 'malformed' };
  }
  const [, payloadText, sigText] = parts as [string, string, string];
  const sig = fromBase64Url(sigText);
  const payload = fromBase64Url(payloadText);
  if (!sig || !payload) return { ok: false, reason: 'malformed' };
  const valid = await crypto.subtle.verify(
    'HMAC',
    key,
    sig,
    encoder.encode(`${VERSION}.${payloadText}`),
  );
  if (!valid) return { ok: false, reason: 'bad-signature' };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (now - claims.issuedAt > windowMs) return { ok: false, reason: 'expired' };
  if (claims.issuedAt - now > windowMs) return { ok: false, reason: 'not-yet-valid' };
  return { ok: true, ...claims };
}
