import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitTranscript } from '../../shared/transcript.ts';
import { DeterministicTestEngine } from '../support/deterministic-test-engine.ts';
import { startTestBackend, type TestBackend } from '../support/test-backend.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/audio');
const TEXT = '"The quick brown fox," she said — jumps over the lazy dog.';

let t: TestBackend;
let engine: DeterministicTestEngine;
let key: string;
let wav: Buffer;

function form(
  fields: Record<string, string>,
  audio: Buffer | null = wav,
  name = 'speech.wav',
): FormData {
  const f = new FormData();
  if (audio) f.set('audio', new Blob([new Uint8Array(audio)]), name);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${t.backend.url}/api/align`, {
    method: 'POST',
    body,
    // Synchronous answers; without Prefer the request becomes an async task (test/tasks).
    headers: { authorization: `Bearer ${key}`, prefer: 'wait=30', ...headers },
  });

beforeAll(async () => {
  engine = new DeterministicTestEngine();
  t = await startTestBackend(async () => [engine]);
  key = (await t.keys.create({ tenant: 'acme', requests: 1000 })).key;
  wav = await readFile(join(FIXTURES, 'speech-s16-16k-mono.wav'));
});
afterAll(() => t?.stop());

describe('POST /api/align', () => {
  it('answers word timings with code-point offsets into the transcript as sent', async () => {
    const res = await post(form({ text: TEXT, language: 'en' }), { prefer: 'wait=30' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('MISS');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const serverTiming = res.headers.get('server-timing') ?? '';
    for (const metric of ['body', 'parse', 'queue', 'engine', 'total']) {
      expect(serverTiming).toMatch(new RegExp(`(^|,)${metric};dur=\\d`));
    }
    const body = await res.json();
    expect(body.language).toBe('English');
    expect(body.engine.name).toBe('test-uniform');
    expect(body.duration).toBeCloseTo(2.0, 2);
    const units = splitTranscript(TEXT, 'English');
    expect(body.words).toHaveLength(units.length);
    const cps = Array.from(TEXT);
    for (const w of body.words) {
      expect(cps.slice(w.char_start, w.char_end).join('')).toBe(w.text);
      expect(w.start).toBeGreaterThanOrEqual(0);
      expect(w.end).toBeLessThanOrEqual(body.duration);
      expect(w.status).toBe('aligned');
    }
    expect(body.words[0].text).toBe('The');
    expect(body.words[3].text).toBe('fox');
  });

  it('answers the same audio and text from the cache, even re-spaced', async () => {
    await post(form({ text: 'cache me if you can', language: 'English' }));
    const batchesBefore = engine.batches.length;
    const res = await post(form({ text: '  cache me   if you can ', language: 'english' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('HIT');
    const body = await res.json();
    expect(body.cached).toBe(true);
    expect(body.words.map((w: { char_start: number }) => w.char_start)).toEqual([2, 8, 13, 16, 20]);
    expect(engine.batches.length).toBe(batchesBefore);
  });

  it('takes JSON with base64 audio', async () => {
    const res = await post(
      JSON.stringify({ audio: wav.toString('base64'), text: 'hello world', language: 'EN' }),
      {
        'content-type': 'application/json',
      },
    );
    expect(res.status).toBe(200);
    expect((await res.json()).words.map((w: { text: string }) => w.text)).toEqual([
      'hello',
      'world',
    ]);
  });

  it('renders SRT by field and WebVTT by Accept', async () => {
    const srt = await post(form({ text: TEXT, language: 'en', format: 'srt' }));
    expect(srt.status).toBe(200);
    expect(await srt.text()).toMatch(/^1\r?\n00:00:00,000 --> 00:00:\d\d,\d{3}/);
    const vtt = await post(form({ text: TEXT, language: 'en' }), { accept: 'text/vtt' });
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(await vtt.text()).toMatch(/^WEBVTT/);
  });

  it('decodes every committed format to the same duration', async () => {
    for (const file of [
      'speech-44k-stereo.flac',
      'speech-44k-stereo.mp3',
      'speech-48k-mono.ogg',
      'speech-48k-stereo-opus.ogg',
    ]) {
      const res = await post(
        form(
          { text: 'the quick brown fox', language: 'en' },
          await readFile(join(FIXTURES, file)),
          file,
        ),
      );
      expect(res.status, file).toBe(200);
      expect((await res.json()).duration, file).toBeGreaterThan(0.4);
    }
  });
});

describe('keys and limits', () => {
  it('refuses a missing, unknown or revoked key with 401 problem+json', async () => {
    const none = await fetch(`${t.backend.url}/api/align`, {
      method: 'POST',
      body: form({ text: 'a', language: 'en' }),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    const bad = await post(form({ text: 'a', language: 'en' }), {
      authorization: 'Bearer fa_notarealkeynotarealkeynotarealkey',
    });
    expect(bad.status).toBe(401);
    const created = await t.keys.create({ tenant: 'temp' });
    const ok = await fetch(`${t.backend.url}/api/align`, {
      method: 'POST',
      body: form({ text: 'hello', language: 'en' }),
      headers: { 'x-api-key': created.key, prefer: 'wait=30' },
    });
    expect(ok.status).toBe(200);
    await t.keys.revoke(created.record.id);
    const revoked = await fetch(`${t.backend.url}/api/align`, {
      method: 'POST',
      body: form({ text: 'hello', language: 'en' }),
      headers: { 'x-api-key': created.key },
    });
    expect(revoked.status).toBe(401);
  });

  it('limits a tenant with 429, Retry-After and RateLimit headers, without touching other tenants', async () => {
    const small = await t.keys.create({ tenant: 'tiny', requests: 2, windowSeconds: 60 });
    const send = (k: string) =>
      fetch(`${t.backend.url}/api/align`, {
        method: 'POST',
        body: form({ text: 'hello', language: 'en' }),
        headers: { authorization: `Bearer ${k}`, prefer: 'wait=30' },
      });
    expect((await send(small.key)).status).toBe(200);
    const second = await send(small.key);
    expect(second.headers.get('ratelimit-remaining')).toBe('0');
    const third = await send(small.key);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.headers.get('ratelimit-limit')).toBe('2');
    expect((await third.json()).retry_after).toBeGreaterThan(0);
    expect((await send(key)).status).toBe(200);
  });
});

describe('service endpoints', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await fetch(`${t.backend.url}/health`)).status).toBe(200);
    const ready = await fetch(`${t.backend.url}/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).engine.name).toBe('test-uniform');
    const metrics = await (await fetch(`${t.backend.url}/metrics`)).text();
    expect(metrics).toMatch(
      /falign_http_requests_total\{method="POST",route="\/api\/align",status="200"\} \d+/,
    );
    expect(metrics).toMatch(/falign_cache_requests_total\{layer="local",result="hit"\} [1-9]/);
    expect(metrics).toMatch(/falign_batch_size_count [1-9]/);
    const doc = await (await fetch(`${t.backend.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/align');
    expect(doc.components.schemas.AlignmentResult.properties.words).toBeTruthy();
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await fetch(`${t.backend.url}/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).type).toMatch(/not-found$/);
  });

  it('answers a known path asked with the wrong method with 405 and Allow', async () => {
    const auth = { authorization: `Bearer ${key}` };
    for (const [method, path, allow] of [
      ['GET', '/api/align', 'POST'],
      ['DELETE', '/api/align/batch', 'POST'],
      ['POST', '/api/tasks/task_x/status', 'GET, HEAD'],
      ['PUT', '/health', 'GET, HEAD'],
    ] as const) {
      const res = await fetch(`${t.backend.url}${path}`, { method, headers: auth });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await res.json()).type).toMatch(/method-not-allowed$/);
    }
    // HEAD of a GET route is served, not refused.
    expect((await fetch(`${t.backend.url}/health`, { method: 'HEAD' })).status).toBe(200);
  });
});
