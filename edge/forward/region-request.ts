import { INTERNAL_AUTH_HEADER, signInternalAuth } from '../../shared/internal-auth.ts';

/** Headers that describe one hop, or that only the edge may set; never forwarded as sent. */
const DROPPED_HEADERS = [
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-authorization',
  'content-length',
  // The region trusts the signed header instead; the client's key goes no further.
  'authorization',
  'x-api-key',
  INTERNAL_AUTH_HEADER,
];

export interface RegionRequestInit {
  /** The client's request (its method, path, query and headers are reused). */
  incoming: Request;
  /** Region base URL. */
  baseUrl: string;
  /** The body, already buffered once by the edge; replayed as is on failover. */
  body: Uint8Array | null;
  caller: { tenant: string; keyId: string };
  requestId: string;
  secret: string;
  signal: AbortSignal;
  now: number;
}

/** The request the edge sends to a region, signed for it (shared/internal-auth.ts). */
export async function buildRegionRequest(init: RegionRequestInit): Promise<Request> {
  const source = new URL(init.incoming.url);
  const target = new URL(source.pathname + source.search, init.baseUrl);
  const headers = new Headers(init.incoming.headers);
  for (const h of DROPPED_HEADERS) headers.delete(h);
  headers.set('x-request-id', init.requestId);
  const clientIp = init.incoming.headers.get('cf-connecting-ip');
  if (clientIp) headers.set('x-forwarded-for', clientIp);
  headers.set(
    INTERNAL_AUTH_HEADER,
    await signInternalAuth(
      {
        tenant: init.caller.tenant,
        keyId: init.caller.keyId,
        requestId: init.requestId,
        issuedAt: init.now,
      },
      init.secret,
    ),
  );
  return new Request(target, {
    method: init.incoming.method,
    headers,
    body: init.body as Uint8Array<ArrayBuffer> | null,
    signal: init.signal,
    redirect: 'manual',
  });
}
