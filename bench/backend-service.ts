/**
 * The regional backend as a service, against its own engine in-process (issue 2's figures):
 *
 * 1. In-process batch throughput: the engine's alignBatch, batches of --batch items.
 * 2. Service throughput: the same clips through a real `falign serve` process over HTTP at
 *    concurrency 1/4/16 (result cache off, so every request runs the engine).
 * 3. The backend's own added latency (HTTP + decode + cache + post-processing, engine
 *    excluded): client-measured latency minus the queue and compute times the backend reports,
 *    for a 10 s and a 60 s clip, one request at a time, with the Server-Timing breakdown. The
 *    client sends bodies encoded once up front, through undici's request().
 * 4. The HTTP floor under 3: the same client and bodies against a bare @hono/node-server
 *    process that only reads the body (bench/support/bare-http-server.ts).
 *
 *   node bin/run-ts.mjs bench/backend-service.ts [--engine dtw] [--requests 24] [--batch 8]
 *
 * Speech is synthesised with flite (Debian) into a temp dir.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, type Dispatcher, request } from 'undici';
import { decodeAudio } from '../region-backend/audio/decode.ts';
import { createEngine } from '../region-backend/engines/registry.ts';
import { ApiKeyService } from '../region-backend/keys/api-key-service.ts';
import { FileApiKeyStore } from '../region-backend/keys/file-api-key-store.ts';
import { unitsFor } from '../shared/segmenters.ts';
import { startBackendProcess } from '../test/support/backend-process.ts';
import { describeMachine } from './machine.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'dtw' },
    'model-dir': { type: 'string' },
    requests: { type: 'string', default: '24' },
    batch: { type: 'string', default: '8' },
    latency: { type: 'string', default: '15' },
  },
});
const ENGINE = values.engine!;
const REQUESTS = Number(values.requests);
const BATCH = Number(values.batch);
const LATENCY_RUNS = Number(values.latency);

const SENTENCE =
  'Forced alignment finds when each word of a transcript is spoken in a recording, which is what subtitles and reading apps need. ';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Starts bench/support/bare-http-server.ts as its own process; resolves with its URL. */
async function startBareHttpServer(): Promise<{ url: string; child: ChildProcess }> {
  const root = join(import.meta.dirname, '..');
  const child = spawn(
    process.execPath,
    [join(root, 'bin/run-ts.mjs'), join(root, 'bench/support/bare-http-server.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare HTTP server exited with ${code}`)));
  });
  return { url, child };
}

/** `Server-Timing: body;dur=0.4,parse;dur=0.7,...` as name -> ms. */
function parseServerTiming(header: string | string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of String(header ?? '').split(',')) {
    const m = /^\s*([\w-]+).*?dur=([\d.]+)/.exec(entry);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

async function makeClip(dir: string, seconds: number): Promise<{ path: string; text: string }> {
  // flite speaks this sentence in ~6.5 s; repeat it, then trim to the exact length with sox.
  const text = SENTENCE.repeat(Math.ceil(seconds / 6) + 1).trim();
  const raw = join(dir, `raw-${seconds}.wav`);
  const path = join(dir, `clip-${seconds}.wav`);
  execFileSync('flite', ['-voice', 'slt', '-t', text, '-o', raw]);
  execFileSync('sox', [raw, path, 'trim', '0', String(seconds)]);
  return { path, text };
}

async function main(): Promise<void> {
  console.log(describeMachine());
  console.log(`engine: ${ENGINE}; requests per level: ${REQUESTS}; in-process batch: ${BATCH}`);
  const dir = await mkdtemp(join(tmpdir(), 'falign-bench-'));
  try {
    const c10 = await makeClip(dir, 10);
    const c60 = await makeClip(dir, 60);
    const bytes10 = new Uint8Array(await readFile(c10.path));
    const bytes60 = new Uint8Array(await readFile(c60.path));

    // 1. In-process batch throughput on the 10 s clip.
    const engine = await createEngine(ENGINE, {
      modelDir: values['model-dir'],
      device: 'auto',
      threads: 0,
      maxBatchSize: BATCH,
    });
    const audio = await decodeAudio(bytes10, { maxSeconds: 3600, minSeconds: 0.1 });
    const item = {
      samples: audio.samples,
      language: 'English' as const,
      text: c10.text,
      units: unitsFor(c10.text, 'English'),
    };
    // Warm-up with a full batch, so that every engine worker has run once.
    await engine.alignBatch(Array.from({ length: BATCH }, () => item));
    let t0 = performance.now();
    for (let done = 0; done < REQUESTS; done += BATCH) {
      await engine.alignBatch(Array.from({ length: Math.min(BATCH, REQUESTS - done) }, () => item));
    }
    const inProcessRps = REQUESTS / ((performance.now() - t0) / 1000);
    await engine.close();
    console.log(
      `in-process: ${inProcessRps.toFixed(2)} clips/s (${(inProcessRps * audio.duration).toFixed(1)} audio s/s), 10 s clips, batches of ${BATCH}`,
    );

    // 2. + 3. through a real backend process.
    const dataDir = join(dir, 'data');
    const keys = new ApiKeyService(new FileApiKeyStore(join(dataDir, 'api-keys.json')));
    const key = (await keys.create({ tenant: 'bench', requests: 1_000_000 })).key;
    const server = await startBackendProcess({
      FA_DATA_DIR: dataDir,
      FA_ENGINE: ENGINE,
      FA_CACHE_ENTRIES: '0',
      FA_MAX_BATCH_SIZE: String(BATCH),
      FA_LOG_LEVEL: 'warn',
      ...(values['model-dir'] ? { FA_MODEL_DIR: values['model-dir'] } : {}),
    });
    // Bodies are encoded once, up front: the client's own multipart encoding is not the backend's.
    const boundary = 'falign-bench-boundary';
    const encode = (bytes: Uint8Array, text: string) =>
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="clip.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
        ),
        bytes,
        Buffer.from(
          `\r\n--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n${text}\r\n--${boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nEnglish\r\n--${boundary}--\r\n`,
        ),
      ]);
    const bodies = new Map<Uint8Array, Buffer>();
    const send = async (
      bytes: Uint8Array,
      text: string,
      base = server.url,
      dispatcher?: Dispatcher,
    ) => {
      let body = bodies.get(bytes);
      if (!body) {
        body = encode(bytes, text);
        bodies.set(bytes, body);
      }
      const started = performance.now();
      const res = await request(`${base}/api/align`, {
        ...(dispatcher ? { dispatcher } : {}),
        method: 'POST',
        body,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          authorization: `Bearer ${key}`,
          prefer: 'wait=600',
        },
      });
      const answer = (await res.body.json()) as {
        timing: { queue_ms: number; compute_ms: number };
      };
      const ms = performance.now() - started;
      if (res.statusCode !== 200)
        throw new Error(`HTTP ${res.statusCode}: ${JSON.stringify(answer)}`);
      return {
        ms,
        ...answer.timing,
        serverTiming: parseServerTiming(res.headers['server-timing']),
      };
    };
    try {
      await send(bytes10, c10.text); // warm-up
      for (const concurrency of [1, 4, 16]) {
        let next = 0;
        t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < REQUESTS) await send(bytes10, c10.text);
          }),
        );
        const rps = REQUESTS / ((performance.now() - t0) / 1000);
        console.log(
          `service, concurrency ${String(concurrency).padStart(2)}: ${rps.toFixed(2)} clips/s = ${(rps / inProcessRps).toFixed(2)} of in-process`,
        );
      }
      // Latency on one keep-alive connection of its own (the floor below gets the same), which
      // has carried one 60 s upload first so both start from the same TCP state.
      const connection = new Client(server.url);
      await send(bytes60, c60.text, server.url, connection);
      for (const [label, bytes, text] of [
        ['10 s', bytes10, c10.text],
        ['60 s', bytes60, c60.text],
      ] as const) {
        const added: number[] = [];
        const total: number[] = [];
        const stages = new Map<string, number[]>();
        await send(bytes, text, server.url, connection);
        for (let i = 0; i < LATENCY_RUNS; i++) {
          const r = await send(bytes, text, server.url, connection);
          total.push(r.ms);
          added.push(r.ms - r.queue_ms - r.compute_ms);
          const inside = r.serverTiming.get('total') ?? Number.NaN;
          const stage = (name: string, v: number) =>
            stages.set(name, [...(stages.get(name) ?? []), v]);
          for (const name of ['body', 'parse']) stage(name, r.serverTiming.get(name) ?? Number.NaN);
          const align = r.serverTiming.get('align') ?? Number.NaN;
          stage('hash+cache+decode+words', align - r.queue_ms - r.compute_ms);
          stage(
            'rest in backend',
            inside - align - (r.serverTiming.get('body') ?? 0) - (r.serverTiming.get('parse') ?? 0),
          );
          stage('outside the handler (HTTP, client)', r.ms - inside);
          stage('batching wait', r.queue_ms);
        }
        console.log(
          `added latency, ${label} clip: p50 ${pct(added, 50).toFixed(1)} ms, p90 ${pct(added, 90).toFixed(1)} ms (end-to-end p50 ${pct(total, 50).toFixed(0)} ms, ${LATENCY_RUNS} runs)`,
        );
        console.log(
          `  p50 by stage: ${[...stages].map(([name, v]) => `${name} ${pct(v, 50).toFixed(1)}`).join(', ')} ms (the batching wait is FA_MAX_QUEUE_DELAY_MS, not counted as added)`,
        );
      }
      // The HTTP floor in the same run: a bare @hono/node-server process that reads the same
      // bodies from the same client and answers a fixed JSON.
      await connection.close();
      const bare = await startBareHttpServer();
      const bareConnection = new Client(bare.url);
      try {
        await send(bytes60, c60.text, bare.url, bareConnection);
        for (const [label, bytes, text] of [
          ['10 s', bytes10, c10.text],
          ['60 s', bytes60, c60.text],
        ] as const) {
          const ms: number[] = [];
          await send(bytes, text, bare.url, bareConnection);
          for (let i = 0; i < LATENCY_RUNS; i++) {
            ms.push((await send(bytes, text, bare.url, bareConnection)).ms);
          }
          console.log(
            `HTTP floor, ${label} clip (bare @hono/node-server reading the body): p50 ${pct(ms, 50).toFixed(1)} ms, p90 ${pct(ms, 90).toFixed(1)} ms`,
          );
        }
      } finally {
        await bareConnection.close();
        bare.child.kill('SIGTERM');
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
