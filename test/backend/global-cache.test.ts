import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type LocalGlobalStore,
  startLocalGlobalStore,
} from '../../dev/upstash-rest/global-store.ts';
import { DeterministicTestEngine } from '../support/deterministic-test-engine.ts';
import { startTestBackend, type TestBackend } from '../support/test-backend.ts';

/**
 * Two regional backends with separate in-process caches share the global cache (real
 * redis-server behind the Upstash-REST dev server): what one aligned, the other answers as a
 * hit without running its engine; API keys in the global store work on both.
 */
let store: LocalGlobalStore;
let east: TestBackend;
let west: TestBackend;
let westEngine: DeterministicTestEngine;

beforeAll(async () => {
  store = await startLocalGlobalStore({ token: 'test-token' });
  const env = store.env;
  east = await startTestBackend(async () => [new DeterministicTestEngine()], {
    ...env,
    FA_REGION: 'us-east',
  });
  westEngine = new DeterministicTestEngine();
  west = await startTestBackend(async () => [westEngine], { ...env, FA_REGION: 'eu-west' });
});
afterAll(async () => {
  await east?.stop();
  await west?.stop();
  await store?.stop();
});

it('shares results and keys across regions through the global store', async () => {
  const { key } = await east.keys.create({ tenant: 'acme' });
  const wav = await readFile(
    join(import.meta.dirname, '../fixtures/audio/speech-s16-16k-mono.wav'),
  );
  const send = (url: string) => {
    const f = new FormData();
    f.set('audio', new Blob([new Uint8Array(wav)]), 'a.wav');
    f.set('text', 'The quick brown fox jumps over the lazy dog.');
    f.set('language', 'en');
    return fetch(`${url}/api/align`, {
      method: 'POST',
      body: f,
      headers: { authorization: `Bearer ${key}`, prefer: 'wait=30' },
    });
  };
  const first = await send(east.backend.url);
  expect(first.status).toBe(200);
  expect(first.headers.get('x-cache')).toBe('MISS');
  const second = await send(west.backend.url);
  expect(second.status).toBe(200);
  expect(second.headers.get('x-cache')).toBe('HIT');
  expect(westEngine.batches).toHaveLength(0);
  const a = await first.json();
  const b = await second.json();
  expect(b.words).toEqual(a.words);
  const metrics = await (await fetch(`${west.backend.url}/metrics`)).text();
  expect(metrics).toMatch(/falign_cache_requests_total\{layer="global",result="hit"\} 1/);
});

it('keeps serving known tenants, without the cache, while the global store is paused', async () => {
  const { key } = await east.keys.create({ tenant: 'pause' });
  const wav = await readFile(
    join(import.meta.dirname, '../fixtures/audio/speech-s16-16k-mono.wav'),
  );
  const send = (text: string, apiKey = key) => {
    const form = new FormData();
    form.set('audio', new Blob([new Uint8Array(wav)]), 'a.wav');
    form.set('text', text);
    form.set('language', 'en');
    return fetch(`${east.backend.url}/api/align`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${apiKey}`, prefer: 'wait=30' },
    });
  };
  expect((await send('warm the key')).status).toBe(200);
  const stranger = (await west.keys.create({ tenant: 'stranger' })).key;
  const paused = store.redis.pause(4000);
  const during = await send('aligned while the store sleeps');
  const unknown = await send('who are you', stranger);
  await paused;
  expect(during.status).toBe(200);
  expect(during.headers.get('x-cache')).toBe('MISS');
  // A key the region has not seen cannot be checked: refused (503, retry), never let through.
  expect(unknown.status).toBe(503);
  expect(unknown.headers.get('retry-after')).toBeTruthy();
  expect((await send('after the pause')).status).toBe(200);
});
