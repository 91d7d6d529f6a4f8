import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { verifyInternalAuth } from '../../../shared/internal-auth.ts';

/**
 * A stand-in for a regional backend in the edge's workerd tests (the real backend runs in the
 * end-to-end tests): a real HTTP server that checks the edge's signed header and echoes what
 * it received. Faults are asked for per request with `X-Stub-Fault: <region>=503|hang|reset`,
 * which the edge forwards like any other header, so tests share no state.
 */
export const STUB_FAULT_HEADER = 'x-stub-fault';

export interface StubRegionServer {
  region: string;
  url: string;
  close(): Promise<void>;
}

function faultFor(header: string | undefined, region: string): string | null {
  for (const part of (header ?? '').split(',')) {
    const [name, fault] = part.trim().split('=');
    if (name === region && fault) return fault;
  }
  return null;
}

export async function startStubRegion(region: string, secret: string): Promise<StubRegionServer> {
  const app = new Hono();
  /** Request ids of hanging requests received, and of those the edge aborted (tests send a few). */
  const received = new Set<string>();
  const aborted = new Set<string>();
  // `GET /__stub/hung/<request id>`: whether a hanging request with that id arrived, and whether
  // the edge aborted it.
  app.get('/__stub/hung/:id', (c) =>
    c.json({ received: received.has(c.req.param('id')), aborted: aborted.has(c.req.param('id')) }),
  );
  app.all('*', async (c) => {
    const fault = faultFor(c.req.header(STUB_FAULT_HEADER), region);
    if (fault === 'hang') {
      const id = c.req.header('x-request-id') ?? '';
      if (received.size < 1000) received.add(id);
      // Until the edge gives up on this attempt (the timer must not keep the process alive).
      await new Promise((resolve) => {
        const onAbort = () => {
          if (aborted.size < 1000) aborted.add(id);
          resolve(null);
        };
        if (c.req.raw.signal.aborted) onAbort();
        c.req.raw.signal.addEventListener('abort', onAbort);
        setTimeout(resolve, 30_000).unref();
      });
    }
    if (fault === 'reset') {
      // Drop the connection without an answer.
      const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } }).incoming;
      incoming?.socket?.destroy();
      return new Response(null);
    }
    if (fault === '503') {
      return c.json(
        { type: 'about:blank', title: 'Service overloaded', status: 503, detail: region },
        503,
        { 'retry-after': '3', 'content-type': 'application/problem+json' },
      );
    }
    const auth = await verifyInternalAuth(c.req.raw.headers, secret, Date.now());
    if (!auth.ok) return c.json({ region, auth: auth.reason }, 401);
    const body = new Uint8Array(await c.req.arrayBuffer());
    return c.json(
      {
        region,
        tenant: auth.tenant,
        key_id: auth.keyId,
        request_id: auth.requestId,
        method: c.req.method,
        path: c.req.path,
        query: new URL(c.req.url).search,
        body_bytes: body.byteLength,
        body_sha256: createHash('sha256').update(body).digest('hex'),
        saw_authorization: c.req.header('authorization') !== undefined,
        saw_api_key: c.req.header('x-api-key') !== undefined,
      },
      200,
      { 'x-cache': 'MISS' },
    );
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    region,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
