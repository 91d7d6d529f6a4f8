import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlignmentItem } from '../../region-backend/engines/engine.ts';
import { DeterministicTestEngine } from '../support/deterministic-test-engine.ts';
import { startTestBackend, type TestBackend } from '../support/test-backend.ts';

/** A TEST ENGINE that crashes (a plain Error, as a dead ONNX session would) while `failing`. */
class SwitchableFailingTestEngine extends DeterministicTestEngine {
  failing = true;
  failures = 0;
  override async alignBatch(items: readonly AlignmentItem[]) {
    if (this.failing) {
      this.failures++;
      throw new Error('session crashed');
    }
    return super.alignBatch(items);
  }
}

let t: TestBackend;
let engine: SwitchableFailingTestEngine;
let key: string;
let wav: Buffer;

beforeAll(async () => {
  engine = new SwitchableFailingTestEngine();
  // A breaker that never opens here: the request-level answer is what is under test.
  t = await startTestBackend(async () => [engine], { FA_BREAKER_VOLUME_THRESHOLD: '1000' });
  key = (await t.keys.create({ tenant: 'acme', requests: 1000 })).key;
  wav = await readFile(join(import.meta.dirname, '../fixtures/audio/speech-s16-16k-mono.wav'));
});
afterAll(() => t?.stop());

const submit = (headers: Record<string, string>) => {
  const f = new FormData();
  f.set('audio', new Blob([new Uint8Array(wav)]), 'a.wav');
  f.set('text', 'the quick brown fox');
  f.set('language', 'en');
  return fetch(`${t.backend.url}/api/align`, {
    method: 'POST',
    body: f,
    headers: { authorization: `Bearer ${key}`, ...headers },
  });
};

it('answers an engine crash with 503 + Retry-After (so the edge tries another region), not 500', async () => {
  engine.failing = true;
  const res = await submit({ prefer: 'wait=30' });
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('1');
  const body = await res.json();
  expect(body.type).toMatch(/engine-unavailable$/);
  expect(body.detail).not.toContain('session crashed');
});

it('keeps an async task waiting for the engine instead of failing it, then completes it', async () => {
  engine.failing = true;
  const accepted = await submit({});
  expect(accepted.status).toBe(202);
  const { task_id } = await accepted.json();
  const status = () =>
    fetch(`${t.backend.url}/api/tasks/${task_id}/status`, {
      headers: { authorization: `Bearer ${key}` },
    }).then((r) => r.json());
  // More engine failures than the task has attempts: it is still waiting, not failed.
  const before = engine.failures;
  const deadline = Date.now() + 30_000;
  while (engine.failures < before + t.config.taskAttempts + 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(engine.failures).toBeGreaterThan(before + t.config.taskAttempts);
  expect((await status()).status).toBe('queued');
  engine.failing = false;
  let s = await status();
  while (s.status !== 'completed' && Date.now() < deadline + 10_000) {
    await new Promise((r) => setTimeout(r, 250));
    s = await status();
  }
  expect(s.status).toBe('completed');
});
