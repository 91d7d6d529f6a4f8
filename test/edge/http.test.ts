import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import {
  alignForm,
  beacon,
  bearer,
  createKey,
  freshEdge,
  setBeacons,
  toneWav,
} from './support/edge-fixture.ts';

describe('edge: HTTP surface', () => {
  let key: string;
  beforeAll(async () => {
    await setBeacons([beacon('us-east'), beacon('eu-west', { healthy: false })]);
    key = (await createKey()).key;
  });

  it('serves the default export configured by wrangler.toml (env dev)', async () => {
    const handler = (exports as unknown as { default: { fetch(r: Request): Promise<Response> } })
      .default;
    const res = await handler.fetch(new Request('https://edge.test/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      environment: 'dev',
      regions: { known: 2, usable: 1 },
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
  });

  it('refuses a body over the cap with 413 pointing to audio_url, before reading it', async () => {
    const edge = freshEdge({ MAX_SYNC_BODY_BYTES: '10000' });
    const declared = await edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), prefer: 'wait=10' },
      body: alignForm(toneWav(1), 'too long'),
    });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const body = (await declared.json()) as { detail: string; max_bytes: number };
    expect(body.detail).toMatch(/audio_url/);
    expect(body.max_bytes).toBe(10000);

    // Without Content-Length (a stream), it is cut off while reading.
    const chunks = [new Uint8Array(6000), new Uint8Array(6000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/octet-stream' },
      body: stream,
    });
    expect(streamed.status).toBe(413);
  });

  it('passes requests it cannot read for the cache on to a region instead of failing', async () => {
    const edge = freshEdge();
    const boundary = 'xyz';
    const truncated = `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF`;
    const cases: Array<[string, BodyInit]> = [
      [`multipart/form-data; boundary=${boundary}`, truncated],
      ['multipart/form-data', 'no boundary at all'],
      ['application/json', '{"audio_url":"https://example.com/a.wav","text":"hi","language":"en"}'],
      ['application/json', '{"audio":"%%%not base64%%%","text":"hi","language":"en"}'],
      ['application/json', '{"audio":'],
      ['application/json', new Uint8Array([0xff, 0xfe, 0x00])],
      ['text/plain', 'hello'],
    ];
    for (const [type, body] of cases) {
      const res = await edge('/api/align', {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': type },
        body,
      });
      expect(res.status, type).toBe(200);
      expect(res.headers.get('x-region'), type).not.toBeNull();
      expect(res.headers.get('x-cache')).toBe('MISS');
    }
  });

  it('answers unknown routes with 404 and known paths asked with another method with 405', async () => {
    const edge = freshEdge();
    for (const [path, method, status, allow] of [
      ['/nope', 'GET', 404, null],
      ['/api/align', 'GET', 405, 'POST'],
      ['/api/align/batch', 'PUT', 405, 'POST'],
      ['/api/tasks/task_1/status', 'DELETE', 405, 'GET, HEAD'],
      ['/health', 'POST', 405, 'GET, HEAD'],
    ] as const) {
      const res = await edge(path, { method, headers: bearer(key) });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      expect(((await res.json()) as { request_id: string }).request_id).toBe(
        res.headers.get('x-request-id'),
      );
    }
  });

  it('keeps a client request id that is safe, and replaces one that is not', async () => {
    const edge = freshEdge();
    const kept = await edge('/health', { headers: { 'x-request-id': 'client-abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('client-abc-123');
    const replaced = await edge('/health', { headers: { 'x-request-id': 'bad id; drop' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id; drop');
    const forwarded = await edge('/api/align', {
      method: 'POST',
      headers: { ...bearer(key), 'x-request-id': 'client-abc-456' },
      body: alignForm(toneWav(), 'hi there'),
    });
    expect(((await forwarded.json()) as { request_id: string }).request_id).toBe('client-abc-456');
  });

  it('answers CORS preflights without a key, with the configured origins', async () => {
    const open = await freshEdge()('/api/align', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(open.status).toBe(204);
    expect(open.headers.get('access-control-allow-origin')).toBe('*');
    expect(open.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
    const strict = freshEdge({ CORS_ORIGINS: 'https://app.falign.dev' });
    const allowed = await strict('/health', { headers: { origin: 'https://app.falign.dev' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.falign.dev');
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/X-Region/);
    const denied = await strict('/health', { headers: { origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds CORS headers only to requests with an Origin, and says the answer varies by it', async () => {
    const edge = freshEdge();
    const browser = await edge('/health', { headers: { origin: 'https://app.example' } });
    expect(browser.headers.get('access-control-allow-origin')).toBe('*');
    expect(browser.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
    const server = await edge('/health');
    expect(server.status).toBe(200);
    expect(server.headers.get('access-control-allow-origin')).toBeNull();
    expect(server.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('serves the OpenAPI document of the public API', async () => {
    const res = await freshEdge()('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/align');
  });

  it('answers 500 problem+json, without details, when a secret is missing', async () => {
    const res = await freshEdge({ FA_INTERNAL_SECRET: '' })('/health');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(await res.text()).not.toMatch(/FA_INTERNAL_SECRET|UPSTASH/);
  });
});
