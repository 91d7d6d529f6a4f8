import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * API keys: `fa_` + 32 random bytes in base64url. Only the SHA-256 of a key is ever stored;
 * the record lives in global Redis under `falign:key:<sha256 hex>` as a JSON string (and, as
 * the backend's embedded default, in a local JSON file keyed the same way).
 */
export interface ApiKeyRecord {
  /** Short public id of the key (safe to log), e.g. `key_3f9a1c2b`. */
  id: string;
  tenant: string;
  /** Free-form label given at creation. */
  name: string;
  /** Requests allowed per window, and the window length in seconds (sliding window). */
  rate_limit: { requests: number; window_seconds: number };
  created_at: string;
  revoked_at: string | null;
}

export const API_KEY_PREFIX = 'fa_';
export const apiKeyRedisKey = (sha256Hex: string) => `falign:key:${sha256Hex}`;
/** Set of key hashes per tenant, for listing. */
export const tenantKeysRedisKey = (tenant: string) => `falign:tenant-keys:${tenant}`;
/** Set of every key hash, for `keys list`. */
export const ALL_KEYS_REDIS_KEY = 'falign:keys';

/** A key looks like `fa_` + 43 base64url characters. Cheap shape check before hashing. */
export function looksLikeApiKey(key: string): boolean {
  return /^fa_[A-Za-z0-9_-]{20,128}$/.test(key);
}

/** Generates a new key with Web Crypto (works in Workers and Node). */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return API_KEY_PREFIX + base64url(bytes);
}

/**
 * The SHA-256 (hex) an API key is stored under. Synchronous (a JS SHA-256 of a few dozen
 * bytes), so the edge's per-request key check awaits nothing for it.
 */
export function apiKeySha256(key: string): string {
  return bytesToHex(sha256(utf8ToBytes(key)));
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

/** The public id of a key, derived from its hash so it can be shown without the key. */
export const keyIdFromHash = (sha256: string) => `key_${sha256.slice(0, 12)}`;

/**
 * Extracts the key from `Authorization: Bearer fa_...` or `X-API-Key: fa_...`.
 * Returns null when neither header carries one.
 */
export function readApiKey(headers: Headers): string | null {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const x = headers.get('x-api-key');
  return x ? x.trim() : null;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
