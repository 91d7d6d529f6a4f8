import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../region-backend/tasks/webhook-signature.ts';
import { startTestBackend, type TestBackend } from '../support/test-backend.ts';
import { GatedTestEngine } from './support/gated-test-engine.ts';
import { type LocalHttpServer, startLocalHttpServer } from './support/local-http.ts';
import { alignForm, TaskClient } from './support/task-client.ts';

/**
 * The async API on the embedded defaults (no Redis at all: in-process queue and store, audio on
 * disk), end to end over real HTTP on 127.0.0.1: tasks, results in every format, tenants,
 * Idempotency-Key, batches, audio_url with SSRF refusals (loopback targets only), signed
 * webhooks, and a sync request handed over to a task.
 */
const SECRET = 'whsec_test_0123456789';
const TEXT = 'The quick brown fox jumps over the lazy dog.';

let t: TestBackend;
let engine: GatedTestEngine;
let acme: TaskClient;
let other: TaskClient;
let wav: Uint8Array;
/** Allow-listed: serves audio, redirects, HTML. */
let files: LocalHttpServer;
/** Not allow-listed: must never receive a request. */
let forbidden: LocalHttpServer;
/** Allow-listed webhook receiver. */
let hooks: LocalHttpServer;

beforeAll(async () => {
  wav = new Uint8Array(
    await readFile(join(import.meta.dirname, '../fixtures/audio/speech-s16-16k-mono.wav')),
  );
  forbidden = await startLocalHttpServer((_req, res) => res.end('should not be reached'));
  files = await startLocalHttpServer((req, res) => {
    if (req.url === '/speech.wav') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from(wav));
    } else if (req.url === '/to-loopback') {
      res.writeHead(302, { location: `${forbidden.url}/speech.wav` });
      res.end();
    } else if (req.url === '/page.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.end('<html><body>not audio at all, whatever the name says</body></html>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  // /flaky answers 503 to a task's first two deliveries, then 200.
  const flakyCount = new Map<string, number>();
  hooks = await startLocalHttpServer((req, res) => {
    if (req.url === '/flaky') {
      const id = String(req.headers['x-falign-webhook-id']);
      const n = (flakyCount.get(id) ?? 0) + 1;
      flakyCount.set(id, n);
      res.writeHead(n <= 2 ? 503 : 200);
    }
    res.end('ok');
  });
  engine = new GatedTestEngine();
  t = await startTestBackend(async () => [engine], {
    FA_FETCH_ALLOW_HOSTS: `127.0.0.1:${files.port},127.0.0.1:${hooks.port}`,
    FA_WEBHOOK_SECRET: SECRET,
  });
  acme = new TaskClient(
    t.backend.url,
    (await t.keys.create({ tenant: 'acme', requests: 1_000_000 })).key,
  );
  other = new TaskClient(
    t.backend.url,
    (await t.keys.create({ tenant: 'globex', requests: 1_000_000 })).key,
  );
});

afterAll(async () => {
  await t?.stop();
  await Promise.all([files?.close(), forbidden?.close(), hooks?.close()]);
});

async function submit(
  fields: Record<string, string> = { text: TEXT, language: 'en' },
  headers: Record<string, string> = {},
): Promise<{
  res: Response;
  body: { status: string; task_id: string; estimated_wait_time: number };
}> {
  const res = await acme.post('/api/align', alignForm(wav, fields), headers);
  return { res, body: await res.json() };
}

describe('tasks without Redis (in process, not durable)', () => {
  it('runs on the in-process queue and store with audio on disk', () => {
    expect(t.backend.tasks.service.kinds).toEqual({
      queue: 'memory',
      store: 'memory',
      blobs: 'fs',
    });
  });

  it('documents the task paths in /openapi.json', async () => {
    const doc = await (await fetch(`${t.backend.url}/openapi.json`)).json();
    for (const path of [
      '/api/tasks/{taskId}/status',
      '/api/tasks/{taskId}/result',
      '/api/align/batch',
      '/api/align/batch/{batchId}',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });

  it('answers 202 with a task id, an estimate and Location; the task completes', async () => {
    const { res, body } = await submit();
    expect(res.status).toBe(202);
    expect(body.status).toBe('accepted');
    expect(body.task_id).toMatch(/^task_[0-9a-f-]{36}$/);
    expect(body.estimated_wait_time).toBeGreaterThan(0);
    expect(res.headers.get('location')).toBe(`/api/tasks/${body.task_id}/status`);
    const status = await acme.waitForEnd(body.task_id);
    expect(status).toMatchObject({ task_id: body.task_id, status: 'completed', progress: 1 });
    expect(status.tenant).toBeUndefined();
    expect(status.attempts).toBe(1);
    const result = await (await acme.get(`/api/tasks/${body.task_id}/result`)).json();
    expect(result.task_id).toBe(body.task_id);
    expect(result.words.map((w: { text: string }) => w.text).join(' ')).toBe(
      'The quick brown fox jumps over the lazy dog',
    );
  });

  it('renders the stored result in any format (?format=, Accept, or the one asked at submission)', async () => {
    const { body } = await submit({ text: TEXT, language: 'en', format: 'csv' });
    await acme.waitForEnd(body.task_id);
    const path = `/api/tasks/${body.task_id}/result`;
    const csv = await acme.get(path);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toMatch(/quick/);
    const srt = await acme.get(`${path}?format=srt`);
    expect(await srt.text()).toMatch(/^1\r?\n00:00:00,000 --> /);
    const vtt = await acme.get(path, { accept: 'text/vtt' });
    expect(await vtt.text()).toMatch(/^WEBVTT/);
    const json = await acme.get(`${path}?format=json`);
    expect((await json.json()).words).toHaveLength(9);
  });

  it("answers 404 for another tenant's task, exactly as for an unknown one", async () => {
    const { body } = await submit();
    await acme.waitForEnd(body.task_id);
    for (const path of [`/api/tasks/${body.task_id}/status`, `/api/tasks/${body.task_id}/result`]) {
      const res = await other.get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const unknown = await acme.get('/api/tasks/task_00000000-0000-4000-8000-000000000000/status');
    expect(unknown.status).toBe(404);
    expect((await acme.get('/api/tasks/../../etc/status')).status).toBe(404);
  });

  it('Idempotency-Key: same key and payload -> same task; other payload -> 422', async () => {
    const key = { 'idempotency-key': `order-${Date.now()}` };
    const first = await submit({ text: TEXT, language: 'en' }, key);
    const again = await submit({ text: TEXT, language: 'en' }, key);
    expect(again.res.status).toBe(202);
    expect(again.body.task_id).toBe(first.body.task_id);
    expect(again.res.headers.get('idempotent-replayed')).toBe('true');
    const changed = await submit({ text: 'Another transcript.', language: 'en' }, key);
    expect(changed.res.status).toBe(422);
    expect((changed.body as unknown as { type: string }).type).toMatch(/idempotency-conflict$/);
    // The same key under another tenant is that tenant's own.
    const theirs = await other.post(
      '/api/align',
      alignForm(wav, { text: TEXT, language: 'en' }),
      key,
    );
    expect(theirs.status).toBe(202);
    expect((await theirs.json()).task_id).not.toBe(first.body.task_id);
    await acme.waitForEnd(first.body.task_id);
  });

  it('refuses non-audio at submission (415) and reports undecodable audio as a failed task', async () => {
    const html = await acme.post(
      '/api/align',
      alignForm(new TextEncoder().encode('<html>hi</html>'), { text: TEXT, language: 'en' }),
    );
    expect(html.status).toBe(415);
    const broken = wav.slice(0, 60); // a WAV header promising data that is not there
    const res = await acme.post('/api/align', alignForm(broken, { text: TEXT, language: 'en' }));
    expect(res.status).toBe(202);
    const { task_id } = await res.json();
    const status = await acme.waitForEnd(task_id);
    expect(status.status).toBe('failed');
    const error = status.error as { status: number; type: string };
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
    const result = await acme.get(`/api/tasks/${task_id}/result`);
    expect(result.status).toBe(error.status);
    expect((await result.json()).task_id).toBe(task_id);
  });

  it('batch: JSON items and multipart parts, one task each, summarised by batch id', async () => {
    const b64 = Buffer.from(wav).toString('base64');
    const res = await acme.post(
      '/api/align/batch',
      JSON.stringify({
        items: [
          { audio: b64, text: 'one two three', language: 'en' },
          { audio_url: `${files.url}/speech.wav`, text: 'four five', language: 'English' },
          { audio: b64, text: 'six', language: 'de', format: 'srt' },
        ],
      }),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.batch_id).toMatch(/^batch_/);
    expect(body.tasks.map((x: { index: number }) => x.index)).toEqual([0, 1, 2]);
    for (const task of body.tasks)
      expect((await acme.waitForEnd(task.task_id)).status).toBe('completed');
    const summary = await (await acme.get(`/api/align/batch/${body.batch_id}`)).json();
    expect(summary).toMatchObject({ status: 'completed', total: 3, counts: { completed: 3 } });
    expect((await other.get(`/api/align/batch/${body.batch_id}`)).status).toBe(404);

    const f = new FormData();
    for (const text of ['alpha beta', 'gamma']) {
      f.append('audio', new Blob([new Uint8Array(wav)]), 'a.wav');
      f.append('text', text);
    }
    f.set('language', 'en');
    const multi = await acme.post('/api/align/batch', f);
    expect(multi.status).toBe(202);
    const mb = await multi.json();
    const words = [];
    for (const task of mb.tasks) {
      await acme.waitForEnd(task.task_id);
      const r = await (await acme.get(`/api/tasks/${task.task_id}/result`)).json();
      words.push(r.words.map((w: { text: string }) => w.text).join(' '));
    }
    expect(words).toEqual(['alpha beta', 'gamma']);
  });

  it('batch: refuses mismatched parts and too many items', async () => {
    const f = new FormData();
    f.append('audio', new Blob([new Uint8Array(wav)]), 'a.wav');
    f.append('audio', new Blob([new Uint8Array(wav)]), 'b.wav');
    f.append('text', 'only one');
    f.set('language', 'en');
    expect((await acme.post('/api/align/batch', f)).status).toBe(422);
    const items = Array.from({ length: t.config.maxBatchItems + 1 }, () => ({
      audio_url: `${files.url}/speech.wav`,
      text: 'x',
      language: 'en',
    }));
    const many = await acme.post('/api/align/batch', JSON.stringify({ items }), {
      'content-type': 'application/json',
    });
    expect(many.status).toBe(413);
  });
});

describe('audio_url and SSRF (loopback targets only)', () => {
  const submitUrl = (audio_url: string, headers: Record<string, string> = {}) =>
    acme.post('/api/align', JSON.stringify({ audio_url, text: TEXT, language: 'en' }), {
      'content-type': 'application/json',
      ...headers,
    });

  it('fetches from an allow-listed local server; Prefer: wait answers the result', async () => {
    const res = await submitUrl(`${files.url}/speech.wav`, { prefer: 'wait=20' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.duration).toBeCloseTo(2, 1);
    expect(body.words).toHaveLength(9);
  });

  it('refuses 127.0.0.1 and localhost when not allow-listed, before connecting', async () => {
    for (const url of [
      `${forbidden.url}/speech.wav`,
      `http://localhost:${forbidden.port}/speech.wav`,
      `http://[::1]:${forbidden.port}/speech.wav`,
      `http://[::ffff:127.0.0.1]:${forbidden.port}/speech.wav`,
    ]) {
      const res = await submitUrl(url);
      expect(res.status, url).toBe(422);
      expect((await res.json()).detail).toMatch(/audio_url refused/);
    }
    expect(forbidden.requests).toHaveLength(0);
  });

  it('refuses a redirect from an allowed server to 127.0.0.1 (the task fails, nothing is fetched)', async () => {
    const res = await submitUrl(`${files.url}/to-loopback`);
    expect(res.status).toBe(202);
    const status = await acme.waitForEnd((await res.json()).task_id);
    expect(status.status).toBe('failed');
    expect((status.error as { detail: string }).detail).toMatch(/refused.*loopback/);
    expect(forbidden.requests).toHaveLength(0);
    expect(files.requests.some((r) => r.url === '/to-loopback')).toBe(true);
  });

  it('sniffs content: a page served as audio/wav fails as unsupported media', async () => {
    const res = await submitUrl(`${files.url}/page.wav`);
    const status = await acme.waitForEnd((await res.json()).task_id);
    expect(status.status).toBe('failed');
    expect((status.error as { status: number }).status).toBe(415);
  });

  it('reports a 404 from the audio server as a failed task', async () => {
    const res = await submitUrl(`${files.url}/missing.wav`);
    const status = await acme.waitForEnd((await res.json()).task_id);
    expect(status.status).toBe('failed');
    expect((status.error as { detail: string }).detail).toMatch(/HTTP 404/);
  });
});

describe('webhooks', () => {
  it('POSTs the final status and result, signed over timestamp and body', async () => {
    const { body } = await submit({ text: TEXT, language: 'en', webhook_url: `${hooks.url}/hook` });
    await acme.waitForEnd(body.task_id);
    const deadline = Date.now() + 10_000;
    let delivery = hooks.requests.find((r) => r.body.includes(body.task_id));
    while (!delivery && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      delivery = hooks.requests.find((r) => r.body.includes(body.task_id));
    }
    expect(delivery).toBeDefined();
    const headers = {
      signature: String(delivery!.headers['x-falign-signature']),
      timestamp: String(delivery!.headers['x-falign-timestamp']),
    };
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(SECRET, headers, delivery!.body, now)).toBe(true);
    expect(verifyWebhook('wrong-secret', headers, delivery!.body, now)).toBe(false);
    expect(verifyWebhook(SECRET, headers, delivery!.body.replace('completed', 'failed'), now)).toBe(
      false,
    );
    expect(verifyWebhook(SECRET, headers, delivery!.body, now + 3600)).toBe(false);
    const payload = JSON.parse(delivery!.body);
    expect(payload.event).toBe('task.completed');
    expect(payload.task.task_id).toBe(body.task_id);
    expect(payload.result.words).toHaveLength(9);
    expect(delivery!.headers['x-falign-webhook-id']).toBe(`${body.task_id}.completed`);
  });

  it('retries a failed delivery with backoff until the receiver takes it', async () => {
    const { body } = await submit({
      text: TEXT,
      language: 'en',
      webhook_url: `${hooks.url}/flaky`,
    });
    await acme.waitForEnd(body.task_id);
    const mine = () =>
      hooks.requests.filter((r) => r.url === '/flaky' && r.body.includes(body.task_id));
    const deadline = Date.now() + 20_000;
    while (mine().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const attempts = mine();
    expect(attempts).toHaveLength(3);
    for (const a of attempts) {
      expect(a.headers['x-falign-webhook-id']).toBe(`${body.task_id}.completed`);
      const ok = verifyWebhook(
        SECRET,
        {
          signature: String(a.headers['x-falign-signature']),
          timestamp: String(a.headers['x-falign-timestamp']),
        },
        a.body,
        Math.floor(Date.now() / 1000),
      );
      expect(ok).toBe(true);
    }
    // Nothing more after the receiver took it.
    await new Promise((r) => setTimeout(r, 300));
    expect(mine()).toHaveLength(3);
  }, 30_000);

  it('refuses a webhook_url on a loopback address that is not allow-listed', async () => {
    const { res } = await submit({
      text: TEXT,
      language: 'en',
      webhook_url: `${forbidden.url}/hook`,
    });
    expect(res.status).toBe(422);
    expect(forbidden.requests).toHaveLength(0);
  });
});

describe('Prefer: wait', () => {
  it('answers 200 when done in time, and hands a slower alignment over to a task (202)', async () => {
    const quick = await acme.post(
      '/api/align',
      alignForm(wav, { text: 'fast one', language: 'en' }),
      {
        prefer: 'wait=20',
      },
    );
    expect(quick.status).toBe(200);

    engine.hold();
    const before = engine.itemsRun;
    const slow = await acme.post(
      '/api/align',
      alignForm(wav, { text: 'slow one', language: 'en' }),
      {
        prefer: 'wait=1',
      },
    );
    expect(slow.status).toBe(202);
    const { task_id } = await slow.json();
    expect((await (await acme.get(`/api/tasks/${task_id}/status`)).json()).status).toBe(
      'processing',
    );
    engine.release();
    const status = await acme.waitForEnd(task_id);
    expect(status.status).toBe('completed');
    const result = await (await acme.get(`/api/tasks/${task_id}/result`)).json();
    expect(result.words.map((w: { text: string }) => w.text)).toEqual(['slow', 'one']);
    // The alignment that outlived the request is the one that completed the task: run once.
    expect(engine.itemsRun - before).toBe(1);
  });
});
