import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalGlobalStore,
  startLocalGlobalStore,
} from '../../dev/upstash-rest/global-store.ts';
import { openGlobalStore } from '../../region-backend/global-store.ts';
import { ApiKeyService } from '../../region-backend/keys/api-key-service.ts';
import { RedisApiKeyStore } from '../../region-backend/keys/redis-api-key-store.ts';
import { verifyWebhook } from '../../region-backend/tasks/webhook-signature.ts';
import { type BackendProcess, startBackendProcess } from '../support/backend-process.ts';
import { type LocalHttpServer, startLocalHttpServer } from './support/local-http.ts';
import { RestartableRedis } from './support/restartable-redis.ts';
import { alignForm, TaskClient } from './support/task-client.ts';

/**
 * Nothing lost: real `falign serve` processes (served default engine), a real regional
 * redis-server for BullMQ and the audio, a real global redis-server behind the Upstash-REST dev
 * server for task status and results, and a webhook receiver on 127.0.0.1 that checks every
 * signature. The backend is SIGKILLed mid-work and restarted; the regional Redis is restarted
 * while tasks wait.
 */
const SECRET = 'whsec_durability_test';
const TOKEN = 'durability-token';

let global: LocalGlobalStore;
let regional: RestartableRedis;
let hooks: LocalHttpServer;
let dataDir: string;
let env: Record<string, string>;
let key: string;
let wav: Uint8Array;
let backend: BackendProcess | null = null;

const deliveries = new Map<string, string[]>();
let badSignatures = 0;

beforeAll(async () => {
  wav = new Uint8Array(
    await readFile(join(import.meta.dirname, '../fixtures/audio/speech-s16-16k-mono.wav')),
  );
  global = await startLocalGlobalStore({ token: TOKEN });
  regional = await RestartableRedis.start();
  hooks = await startLocalHttpServer((req, res) => {
    const ok = verifyWebhook(
      SECRET,
      {
        signature: String(req.headers['x-falign-signature'] ?? ''),
        timestamp: String(req.headers['x-falign-timestamp'] ?? ''),
      },
      req.body,
      Math.floor(Date.now() / 1000),
    );
    if (!ok) {
      badSignatures++;
      res.writeHead(401);
      res.end();
      return;
    }
    const id = String(req.headers['x-falign-webhook-id']);
    deliveries.set(id, [...(deliveries.get(id) ?? []), req.body]);
    res.end('ok');
  });
  dataDir = await mkdtemp(join(tmpdir(), 'falign-durability-'));
  const store = openGlobalStore({ upstashUrl: global.restUrl, upstashToken: TOKEN })!;
  key = (
    await new ApiKeyService(new RedisApiKeyStore(store)).create({
      tenant: 'acme',
      requests: 1_000_000,
    })
  ).key;
  env = {
    FA_ENGINE: 'dtw',
    FA_DATA_DIR: dataDir,
    FA_REDIS_URL: regional.url,
    ...global.env,
    FA_BLOB_STORE: 'redis',
    // A killed backend's jobs are taken up again after ~1.5 s instead of 30 s.
    FA_TASK_LOCK_MS: '1500',
    FA_FETCH_ALLOW_HOSTS: `127.0.0.1:${hooks.port}`,
    FA_WEBHOOK_SECRET: SECRET,
    FA_LOG_LEVEL: 'warn',
  };
}, 60_000);

afterAll(async () => {
  await backend?.stop();
  await hooks?.close();
  await global?.stop();
  await regional?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const textOf = (i: number) => `clip number ${i} says hello`;

async function submitAll(client: TaskClient, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + count; i++) {
    const res = await client.post(
      '/api/align',
      alignForm(wav, { text: textOf(i), language: 'en', webhook_url: `${hooks.url}/hook` }),
    );
    expect(res.status).toBe(202);
    ids.push((await res.json()).task_id);
  }
  return ids;
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('durable tasks', () => {
  it('50 tasks: backend SIGKILLed mid-work and restarted -> all complete, none twice', async () => {
    backend = await startBackendProcess(env, { timeoutMs: 90_000 });
    const client = new TaskClient(backend.url, key);
    const ids = await submitAll(client, 0, 50);
    await until(() => deliveries.size >= 5, 120_000, 'the first tasks to finish');
    backend.child.kill('SIGKILL');
    await new Promise((r) => backend!.child.once('exit', r));
    const doneBeforeKill = deliveries.size;
    expect(doneBeforeKill).toBeLessThan(50);

    backend = await startBackendProcess(env, { timeoutMs: 90_000 });
    const after = new TaskClient(backend.url, key);
    const statuses = [];
    for (const id of ids) statuses.push(await after.waitForEnd(id, 120_000));
    expect(statuses.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    // Some task was in the middle of its work when the process died, and ran again.
    expect(statuses.some((s) => (s.attempts as number) >= 2)).toBe(true);

    for (const [i, id] of ids.entries()) {
      const result = await (await after.get(`/api/tasks/${id}/result`)).json();
      expect(result.task_id).toBe(id);
      expect(result.words.map((w: { text: string }) => w.text).join(' ')).toBe(textOf(i));
    }

    // Each align job completed exactly once in the queue; no audio left behind.
    const redis = new Redis(regional.url);
    try {
      expect(await redis.zcard('falign-bull:align-local:completed')).toBe(50);
      expect(await redis.zcard('falign-bull:align-local:failed')).toBe(0);
      expect(await redis.keys('falign:blob:*')).toEqual([]);
    } finally {
      redis.disconnect();
    }

    // Every task's webhook arrived, signed; a redelivery (at-least-once) carries the same result.
    await until(() => deliveries.size >= 50, 30_000, 'all webhooks');
    expect(badSignatures).toBe(0);
    expect([...deliveries.keys()].sort()).toEqual(ids.map((id) => `${id}.completed`).sort());
    for (const bodies of deliveries.values()) {
      const results = bodies.map((b) => JSON.stringify(JSON.parse(b).result));
      expect(new Set(results).size).toBe(1);
    }
  }, 300_000);

  it('regional Redis restarted while tasks wait -> they complete; submissions meanwhile get 503', async () => {
    const client = new TaskClient(backend!.url, key);
    const ids = await submitAll(client, 100, 20);
    await regional.down();
    const during = await client.post(
      '/api/align',
      alignForm(wav, { text: 'while redis is down', language: 'en' }),
    );
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1000));
    await regional.up();
    for (const [i, id] of ids.entries()) {
      const s = await client.waitForEnd(id, 120_000);
      expect(s.status).toBe('completed');
      const result = await (await client.get(`/api/tasks/${id}/result`)).json();
      expect(result.words.map((w: { text: string }) => w.text).join(' ')).toBe(textOf(100 + i));
    }
  }, 300_000);

  it("answers 404 for another tenant's task across processes", async () => {
    const store = openGlobalStore({ upstashUrl: global.restUrl, upstashToken: TOKEN })!;
    const otherKey = (
      await new ApiKeyService(new RedisApiKeyStore(store)).create({
        tenant: 'globex',
        requests: 1_000_000,
      })
    ).key;
    const client = new TaskClient(backend!.url, key);
    const [id] = await submitAll(client, 200, 1);
    const theirs = new TaskClient(backend!.url, otherKey);
    expect((await theirs.get(`/api/tasks/${id}/status`)).status).toBe(404);
    expect((await theirs.get(`/api/tasks/${id}/result`)).status).toBe(404);
    expect((await client.waitForEnd(id!)).status).toBe('completed');
  }, 120_000);

  it('Idempotency-Key across processes: same payload -> same task, other payload -> 422', async () => {
    const client = new TaskClient(backend!.url, key);
    const headers = { 'idempotency-key': 'durable-key-1' };
    const send = (text: string) =>
      client.post('/api/align', alignForm(wav, { text, language: 'en' }), headers);
    const first = await send('idempotent clip');
    const second = await send('idempotent clip');
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect((await second.json()).task_id).toBe((await first.json()).task_id);
    expect((await send('a different clip')).status).toBe(422);
  }, 120_000);
});
