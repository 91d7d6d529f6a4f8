/**
 * The HTTP floor for bench/backend-service.ts: @hono/node-server with one POST route that reads
 * the whole body and answers a small fixed JSON, nothing else. Run as its own process (as the
 * backend is); prints `listening on <url>`.
 *
 *   node bin/run-ts.mjs bench/support/bare-http-server.ts
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/api/align', async (c) => {
  const body = await c.req.arrayBuffer();
  return c.json({ bytes: body.byteLength, timing: { queue_ms: 0, compute_ms: 0 } });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
