import { describe, expect, it } from 'vitest';
import {
  INTERNAL_AUTH_HEADER,
  INTERNAL_AUTH_WINDOW_MS,
  type InternalAuthClaims,
  InternalSecretError,
  signInternalAuth,
  verifyInternalAuth,
} from '../../shared/internal-auth.ts';

const SECRET = 'a'.repeat(16) + 'secret-for-tests-only-0123456789';
const NOW = 1_790_000_000_000;
const claims: InternalAuthClaims = {
  tenant: 'acme ünïcode; tenant',
  keyId: 'key_3f9a1c2b0d4e',
  requestId: 'req-123',
  issuedAt: NOW,
};

const headersWith = (value: string) => new Headers({ [INTERNAL_AUTH_HEADER]: value });

describe('internal auth header', () => {
  it('round-trips the claims within the window', async () => {
    const value = await signInternalAuth(claims, SECRET);
    expect(value).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(value).not.toContain(SECRET);
    for (const at of [NOW, NOW + INTERNAL_AUTH_WINDOW_MS, NOW - INTERNAL_AUTH_WINDOW_MS]) {
      expect(await verifyInternalAuth(headersWith(value), SECRET, at)).toEqual({
        ok: true,
        ...claims,
      });
    }
  });

  it('reports a missing header as missing', async () => {
    expect(await verifyInternalAuth(new Headers(), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('refuses replays outside the window, in both directions', async () => {
    const value = await signInternalAuth(claims, SECRET);
    const late = await verifyInternalAuth(headersWith(value), SECRET, NOW + 60_001);
    expect(late).toEqual({ ok: false, reason: 'expired' });
    const early = await verifyInternalAuth(headersWith(value), SECRET, NOW - 60_001);
    expect(early).toEqual({ ok: false, reason: 'not-yet-valid' });
    const wider = await verifyInternalAuth(headersWith(value), SECRET, NOW + 90_000, 120_000);
    expect(wider.ok).toBe(true);
  });

  it('refuses another secret and any tampering', async () => {
    const value = await signInternalAuth(claims, SECRET);
    const other = await verifyInternalAuth(headersWith(value), `${SECRET}-rotated`, NOW);
    expect(other).toEqual({ ok: false, reason: 'bad-signature' });

    const [v, payload, sig] = value.split('.') as [string, string, string];
    const forged = btoa(
      JSON.stringify({ tenant: 'someone-else', key_id: 'k', request_id: 'r', iat: NOW }),
    )
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(await verifyInternalAuth(headersWith(`${v}.${forged}.${sig}`), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    expect(
      (await verifyInternalAuth(headersWith(`${v}.${payload}.${flipped}`), SECRET, NOW)).ok,
    ).toBe(false);
  });

  it('refuses malformed values without throwing', async () => {
    const value = await signInternalAuth(claims, SECRET);
    const [, payload, sig] = value.split('.') as [string, string, string];
    for (const bad of [
      '',
      'v1',
      'v1..',
      `v2.${payload}.${sig}`,
      `v1.${payload}`,
      `v1.${payload}.${sig}.x`,
      `v1.${payload}.${sig}!`,
      `v1.***.${sig}`,
      'x'.repeat(5000),
    ]) {
      const result = await verifyInternalAuth(headersWith(bad), SECRET, NOW);
      expect(result.ok, bad.slice(0, 20)).toBe(false);
      if (!result.ok) expect(['malformed', 'bad-signature']).toContain(result.reason);
    }
  });

  it('refuses a correctly signed payload that lacks claims', async () => {
    // Sign a payload by hand with the same construction, but without a tenant.
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey(
      'raw',
      enc.encode(SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const b64u = (b: Uint8Array) =>
      btoa(String.fromCharCode(...b))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const payload = b64u(enc.encode(JSON.stringify({ key_id: 'k', request_id: 'r', iat: NOW })));
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`v1.${payload}`)));
    const result = await verifyInternalAuth(headersWith(`v1.${payload}.${b64u(sig)}`), SECRET, NOW);
    expect(result).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign or verify with a short secret', async () => {
    await expect(signInternalAuth(claims, 'short')).rejects.toBeInstanceOf(InternalSecretError);
    await expect(verifyInternalAuth(headersWith('v1.a.b'), 'short', NOW)).rejects.toBeInstanceOf(
      InternalSecretError,
    );
  });
});
