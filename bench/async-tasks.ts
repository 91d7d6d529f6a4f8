/**
 * Async tasks vs the sync path, same engine, same clips (issue 5's figures):
 *
 * For 1, 10 and 100 requests at once:
 * - async: submitted (POST /api/align, 202) all at once to a real `falign serve` process with
 *   BullMQ on a real regional redis-server and task status in a real global redis-server behind
 *   the Upstash-REST dev server; submit-to-result latency per task (submission until the client
 *   holds the result: by webhook to a receiver on 127.0.0.1, or by polling /status every 250 ms
 *   then GET /result) and sustained throughput (tasks / time from the first submission to the
 *   last result).
 * - sync: the same number of `Prefer: wait=600` requests at once; latency per request and
 *   throughput.
 * Every request has its own transcript, so nothing is answered from the result cache.
 *
 *   node bin/run-ts.mjs bench/async-tasks.ts [--engine dtw] [--depths 1,10,100] [--no-redis]
 *
 * --no-redis measures the in-process queue and store (`falign serve` with no Redis configured).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalGlobalStore } from '../dev/upstash-rest/global-store.ts';
import { openGlobalStore } from '../region-backend/global-store.ts';
import { ApiKeyService } from '../region-backend/keys/api-key-service.ts';
import { FileApiKeyStore } from '../region-backend/keys/file-api-key-store.ts';
import { RedisApiKeyStore } from '../region-backend/keys/redis-api-key-store.ts';
import { startBackendProcess } from '../test/support/backend-process.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { describeMachine } from './machine.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'dtw' },
    depths: { type: 'string', default: '1,10,100' },
    'no-redis': { type: 'boolean', default: false },
  },
});
const depths = values.depths.split(',').map(Number);
const TOKEN = 'bench-token';

const wav = new Uint8Array(
  await readFile(join(import.meta.dirname, '../test/fixtures/audio/speech-s16-16k-mono.wav')),
);
const dataDir = await mkdtemp(join(tmpdir(), 'falign-bench-async-'));
const cleanups: Array<() => Promise<void>> = [];
const env: Record<string, string> = {
  FA_ENGINE: values.engine,
  FA_DATA_DIR: dataDir,
  FA_LOG_LEVEL: 'warn',
  FA_CACHE_ENTRIES: '0',
  FA_MAX_QUEUE_LENGTH: '10000',
};
let keys: ApiKeyService;
if (values['no-redis']) {
  keys = new ApiKeyService(new FileApiKeyStore(join(dataDir, 'api-keys.json')));
} else {
  const regional = await startRedisServer();
  const global = await startLocalGlobalStore({ token: TOKEN });
  cleanups.push(
    () => global.stop(),
    () => regional.stop(),
  );
  Object.assign(env, { FA_REDIS_URL: regional.url, ...global.env });
  keys = new ApiKeyService(
    new RedisApiKeyStore(openGlobalStore({ upstashUrl: global.restUrl, upstashToken: TOKEN })!),
  );
}
const key = (await keys.create({ tenant: 'bench', requests: 10_000_000 })).key;

/** Webhook receiver on 127.0.0.1: when each task's webhook (carrying the result) arrived. */
const arrivals = new Map<string, (body: string) => void>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.end('ok');
    const id = String(req.headers['x-falign-webhook-id']).replace(/\.\w+$/, '');
    arrivals.get(id)?.(Buffer.concat(chunks).toString('utf8'));
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
env.FA_FETCH_ALLOW_HOSTS = new URL(hookUrl).host;
cleanups.push(async () => {
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});
const server = await startBackendProcess(env, { timeoutMs: 120_000 });
cleanups.unshift(() => server.stop());
const auth = { authorization: `Bearer ${key}` };

let serial = 0;
function form(webhook = false): FormData {
  const f = new FormData();
  if (webhook) f.set('webhook_url', hookUrl);
  f.set('audio', new Blob([new Uint8Array(wav)]), 'speech.wav');
  // A transcript of its own per request: no result-cache hits.
  f.set('text', `The quick brown fox number ${serial++} jumps over the lazy dog.`);
  f.set('language', 'en');
  return f;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests answered 503/429 and sent again after Retry-After, as a client should. */
let retried = 0;
async function send(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, init);
    if ((res.status !== 503 && res.status !== 429) || attempt >= 10) return res;
    retried++;
    await res.arrayBuffer();
    await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
  }
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function syncRun(n: number): Promise<{ latencies: number[]; seconds: number }> {
  const t0 = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: n }, async () => {
      const start = performance.now();
      const res = await send(`${server.url}/api/align`, {
        method: 'POST',
        body: form(),
        headers: { ...auth, prefer: 'wait=600' },
      });
      if (res.status !== 200) throw new Error(`sync: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      return performance.now() - start;
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

/** Server-side times of the last async run: queued -> started, started -> finished (ms). */
let breakdown: Array<{ wait: number; run: number }> = [];

interface TaskTimes {
  status: string;
  created_at: string;
  started_at: string;
  finished_at: string;
}

function noteTimes(t: TaskTimes): void {
  const started = Date.parse(t.started_at);
  breakdown.push({
    wait: started - Date.parse(t.created_at),
    run: Date.parse(t.finished_at) - started,
  });
}

/**
 * `n` tasks submitted at once; each one's latency runs from its submission until the client
 * holds its result: by webhook (the POST carries the result), or by polling /status every
 * `pollMs` and then GET /result.
 */
async function asyncRun(
  n: number,
  how: 'webhook' | 'poll',
  pollMs = 250,
): Promise<{ latencies: number[]; seconds: number }> {
  breakdown = [];
  const t0 = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: n }, async () => {
      const start = performance.now();
      const res = await send(`${server.url}/api/align`, {
        method: 'POST',
        body: form(how === 'webhook'),
        headers: auth,
      });
      if (res.status !== 202) throw new Error(`async: HTTP ${res.status} ${await res.text()}`);
      const id = (await res.json()).task_id as string;
      if (how === 'webhook') {
        const body = await new Promise<string>((resolve) => arrivals.set(id, resolve));
        arrivals.delete(id);
        const payload = JSON.parse(body) as { task: TaskTimes };
        if (payload.task.status !== 'completed') throw new Error(`task failed: ${body}`);
        noteTimes(payload.task);
        return performance.now() - start;
      }
      for (;;) {
        await sleep(pollMs);
        const status = (await (
          await send(`${server.url}/api/tasks/${id}/status`, { headers: auth })
        ).json()) as TaskTimes;
        if (status.status === 'failed') throw new Error(`task failed: ${JSON.stringify(status)}`);
        if (status.status === 'completed') {
          noteTimes(status);
          await (
            await send(`${server.url}/api/tasks/${id}/result`, { headers: auth })
          ).arrayBuffer();
          return performance.now() - start;
        }
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

console.log(describeMachine());
console.log(
  `engine ${values.engine}; clip ${(wav.length / 32000).toFixed(1)} s speech (16 kHz WAV); ` +
    (values['no-redis']
      ? 'in-process queue and store (no Redis)'
      : 'BullMQ on redis-server, task store on redis-server via the Upstash-REST dev server'),
);
// Warm-up: engine start, decoders, connections.
await syncRun(2);
await asyncRun(2, 'webhook');
await asyncRun(2, 'poll');

console.log(
  '| requests at once | path | p50 latency (s) | p90 latency (s) | throughput (tasks/s) | async p50 queued->started / started->finished (s) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const n of depths) {
  for (const [path, run] of [
    ['sync (Prefer: wait)', syncRun],
    ['async, result by webhook', (k: number) => asyncRun(k, 'webhook')],
    ['async, polling /status every 250 ms', (k: number) => asyncRun(k, 'poll')],
  ] as const) {
    const { latencies, seconds } = await run(n);
    const s = latencies.map((ms) => ms / 1000);
    const split =
      run !== syncRun
        ? `${(
            pct(
              breakdown.map((b) => b.wait),
              50,
            ) / 1000
          ).toFixed(2)} / ${(
            pct(
              breakdown.map((b) => b.run),
              50,
            ) / 1000
          ).toFixed(2)}`
        : '';
    console.log(
      `| ${n} | ${path} | ${pct(s, 50).toFixed(2)} | ${pct(s, 90).toFixed(2)} | ${(n / seconds).toFixed(2)} | ${split} |`,
    );
  }
}

console.log(`requests answered 503/429 and retried after Retry-After: ${retried}`);
for (const c of cleanups) await c();
await rm(dataDir, { recursive: true, force: true });
