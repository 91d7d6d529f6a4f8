/**
 * Async tasks vs the sync path, same engine, same clips (issue 5's figures):
 *
 * For 1, 10 and 100 requests at once:
 * - async: submitted (POST /api/align, 202) all at once to a real `falign serve` process with
 *   BullMQ on a real regional redis-server and task status in a real global redis-server behind
 *   the Upstash-REST dev server; submit-to-result latency per task (submission to the client
 *   seeing `completed` by polling /status every 50 ms) and sustained throughput (tasks / time
 *   from the first submission to the last completion).
 * - sync: the same number of `Prefer: wait=600` requests at once; latency per request and
 *   throughput.
 * Every request has its own transcript, so nothing is answered from the result cache.
 *
 *   node bin/run-ts.mjs bench/async-tasks.ts [--engine dtw] [--depths 1,10,100] [--no-redis]
 *
 * --no-redis measures the in-process queue and store (`falign serve` with no Redis configured).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startUpstashRestServer } from '../dev/upstash-rest/index.ts';
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
  const global = await startRedisServer();
  const rest = await startUpstashRestServer({ redisUrl: global.url, token: TOKEN });
  cleanups.push(
    () => rest.close(),
    () => global.stop(),
    () => regional.stop(),
  );
  Object.assign(env, {
    FA_REDIS_URL: regional.url,
    UPSTASH_REDIS_REST_URL: rest.url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
  });
  keys = new ApiKeyService(
    new RedisApiKeyStore(openGlobalStore({ upstashUrl: rest.url, upstashToken: TOKEN })!),
  );
}
const key = (await keys.create({ tenant: 'bench', requests: 10_000_000 })).key;
const server = await startBackendProcess(env, { timeoutMs: 120_000 });
cleanups.unshift(() => server.stop());
const auth = { authorization: `Bearer ${key}` };

let serial = 0;
function form(): FormData {
  const f = new FormData();
  f.set('audio', new Blob([new Uint8Array(wav)]), 'speech.wav');
  // A transcript of its own per request: no result-cache hits.
  f.set('text', `The quick brown fox number ${serial++} jumps over the lazy dog.`);
  f.set('language', 'en');
  return f;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function syncRun(n: number): Promise<{ latencies: number[]; seconds: number }> {
  const t0 = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: n }, async () => {
      const start = performance.now();
      const res = await fetch(`${server.url}/api/align`, {
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

async function asyncRun(n: number): Promise<{ latencies: number[]; seconds: number }> {
  breakdown = [];
  const t0 = performance.now();
  const submitted = await Promise.all(
    Array.from({ length: n }, async () => {
      const start = performance.now();
      const res = await fetch(`${server.url}/api/align`, {
        method: 'POST',
        body: form(),
        headers: auth,
      });
      if (res.status !== 202) throw new Error(`async: HTTP ${res.status} ${await res.text()}`);
      return { id: (await res.json()).task_id as string, start };
    }),
  );
  const latencies = await Promise.all(
    submitted.map(async ({ id, start }) => {
      for (;;) {
        const res = await fetch(`${server.url}/api/tasks/${id}/status`, { headers: auth });
        const body = (await res.json()) as {
          status: string;
          created_at: string;
          started_at: string;
          finished_at: string;
        };
        if (body.status === 'completed') {
          const created = Date.parse(body.created_at);
          breakdown.push({
            wait: Date.parse(body.started_at) - created,
            run: Date.parse(body.finished_at) - Date.parse(body.started_at),
          });
          const r = await fetch(`${server.url}/api/tasks/${id}/result`, { headers: auth });
          await r.arrayBuffer();
          return performance.now() - start;
        }
        if (body.status === 'failed') throw new Error(`task failed: ${JSON.stringify(body)}`);
        await sleep(50);
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
await asyncRun(2);

console.log(
  '| requests at once | path | p50 latency (s) | p90 latency (s) | throughput (tasks/s) | async p50 queued->started / started->finished (s) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const n of depths) {
  for (const [path, run] of [
    ['sync (Prefer: wait)', syncRun],
    ['async (202 + poll)', asyncRun],
  ] as const) {
    const { latencies, seconds } = await run(n);
    const s = latencies.map((ms) => ms / 1000);
    const split =
      run === asyncRun
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

for (const c of cleanups) await c();
await rm(dataDir, { recursive: true, force: true });
