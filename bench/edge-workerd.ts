/**
 * The edge's own cost under plain `workerd serve` (the production runtime; `wrangler dev` adds
 * its own proxy and logging and is not measured here). Issue 7's figures:
 *
 * 1. A 200 KB multipart align request at 1 and 8 connections: direct to a region vs through a
 *    bare workerd fetch() proxy vs through the edge (API key, rate limit, cache look-up miss,
 *    region choice, signed forwarding). Goal: edge adds <= 1.5 ms p50 at 1 connection and
 *    keeps >= 70% of direct throughput at 8.
 * 2. An edge cache hit vs a worker that returns a fixed response. Goal: <= 1.5x. Also the CPU
 *    per measured request of workerd and of the load generator, for each side: one-connection
 *    latency here also depends on how fast the scheduler wakes each process, which moves the
 *    fixed worker's p50 between ~0.2 and ~0.45 ms from run to run; CPU time does not. Last,
 *    both handlers warm: each run 500 times inside one request (the edge's production bundle
 *    imported by a loop worker), which leaves out the network and the scheduler; and the
 *    SHA-256 of the 200 KB body in workerd, the same way.
 * 3. Failover: one request at a time to the nearest region; it is killed; time until the first
 *    request is served by the other region. Goal: <= 1 s.
 * 4. The same comparison as 1 against a real backend (`falign serve`, dtw engine, a sentence of
 *    flite speech, ~200 KB), where the region does the work a region does.
 *
 * In 1-3 the "region" is a minimal Node HTTP server that reads the body and answers a fixed
 * JSON result, so the figures are the edge's and not an engine's. Global Redis is a real
 * redis-server behind the project's Upstash REST dev server, as in the local stack. Every
 * process (load generator, edge, REST server, Redis, regions) shares this machine's cores.
 *
 *   node bin/run-ts.mjs bench/edge-workerd.ts [--requests 1500] [--backend-requests 48]
 *     [--sections 1,2,3,4] [--inspector-port 9229]
 *
 * `--inspector-port` opens workerd's V8 inspector (for a CPU profile of the edge while a
 * section runs); the figures of such a run are not comparable.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis as UpstashRedis } from '@upstash/redis';
import { type Dispatcher, Pool } from 'undici';
import { findFreePort, startRedisServer } from '../dev/redis-server/index.ts';
import { buildBundle } from '../dev/stack/wrangler-dev.ts';
import { BeaconPublisher } from '../region-backend/beacon/beacon-publisher.ts';
import { ApiKeyService } from '../region-backend/keys/api-key-service.ts';
import { FileApiKeyStore } from '../region-backend/keys/file-api-key-store.ts';
import { RedisApiKeyStore } from '../region-backend/keys/redis-api-key-store.ts';
import type { CachedAlignment } from '../shared/alignment.ts';
import { sha256Hex } from '../shared/api-keys.ts';
import { resultCacheKey } from '../shared/cache-key.ts';
import { startBackendProcess } from '../test/support/backend-process.ts';
import { describeMachine } from './machine.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1500' },
    'backend-requests': { type: 'string', default: '48' },
    sections: { type: 'string', default: '1,2,3,4' },
    'inspector-port': { type: 'string' },
  },
});
const N = Number(values.requests);
const BACKEND_N = Number(values['backend-requests']);
const SECTIONS = new Set(values.sections.split(',').map((x) => x.trim()));
const ROOT = resolve(import.meta.dirname, '..');
const ENGINE = { name: 'dtw', model: 'espeak-ng+dtw', revision: 'bench' };
const REQUEST_TIMEOUT_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** A stand-in region: reads the body, answers a fixed result. */
async function startRegionStub(name: string): Promise<{ url: string; server: Server }> {
  const body = JSON.stringify({ region: name, words: [], cached: false });
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-cache': 'MISS' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Beacons for a healthy, idle region at `place`, published as a backend would. */
function idleRegionPublisher(
  redis: UpstashRedis,
  place: { region: string; url: string; latitude: number; longitude: number },
): BeaconPublisher {
  return new BeaconPublisher({
    redis,
    snapshot: () => ({
      ...place,
      healthy: true,
      ready: true,
      queue_depth: 0,
      in_flight: 0,
      breaker: 'closed' as const,
      compute_p50_ms: null,
      gpu: null,
      engine: ENGINE,
    }),
  });
}

/** A 16 kHz mono 16-bit WAV of `bytes` total size, noise. */
function wavOfSize(bytes: number): Uint8Array {
  const n = Math.floor((bytes - 44) / 2);
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(16000, 24);
  buf.writeUInt32LE(32000, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  randomBytes(n * 2).copy(buf, 44);
  return new Uint8Array(buf);
}

const SPEECH_TEXT =
  'Forced alignment finds when each word of a transcript is spoken in a recording, which is what subtitles need.';

/** SPEECH_TEXT spoken by flite (Debian), as 16 kHz mono 16-bit WAV. */
async function speechWav(dir: string): Promise<Uint8Array> {
  const raw = join(dir, 'speech-raw.wav');
  const out = join(dir, 'speech.wav');
  execFileSync('flite', ['-voice', 'slt', '-t', SPEECH_TEXT, '-o', raw]);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out]);
  return new Uint8Array(await readFile(out));
}

function multipart(audio: Uint8Array, text: string): { body: Buffer; type: string } {
  const b = `----falignbench${randomBytes(8).toString('hex')}`;
  const field = (name: string, value: string) =>
    `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = Buffer.concat([
    Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    ),
    Buffer.from(audio),
    Buffer.from(`\r\n${field('text', text)}${field('language', 'English')}--${b}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${b}` };
}

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  /** What the first failed request got (status and cache/region headers), if any failed. */
  firstError: string | null;
  /** Median of each `Server-Timing` metric the edge reported (its I/O waits), ms. */
  serverTiming: Record<string, number>;
  /**
   * p50 of the time spent outside a real backend (client latency minus the `total` the backend
   * reports in Server-Timing), ms: the path's own cost, without the engine's run-to-run spread.
   */
  outsideBackendP50: number | null;
}

/** `total` requests over `connections` keep-alive connections; latencies in ms. */
async function load(
  url: string,
  connections: number,
  total: number,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer },
  expectHeader?: [string, string],
  warmup = Math.min(100, total / 10),
  cpu?: CpuCount,
): Promise<LoadResult> {
  const u = new URL(url);
  // A request that gets no answer in 30 s is counted as failed, not waited on for undici's
  // default 300 s.
  const pool = new Pool(u.origin, {
    connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const lat: number[] = [];
  const timings: Record<string, number[]> = {};
  let errors = 0;
  let firstError: string | null = null;
  // Failures count once the warm-up is over (its first request may be what fills a cache).
  let measuring = false;
  let next = 0;
  const one = async () => {
    const t0 = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await pool.request({
        path: u.pathname + u.search,
        method: init.method,
        headers: init.headers,
        body: init.body ?? null,
      });
      await res.body.arrayBuffer();
    } catch (err) {
      if (measuring) {
        errors++;
        firstError ??= String(err);
      }
      return { ms: performance.now() - t0, backendTotal: null };
    }
    const st = res.headers['server-timing'];
    // Measured requests only: a warm-up request may take another path (it may fill a cache).
    for (const m of measuring ? String(st ?? '').matchAll(/(\w+);dur=([\d.]+)/g) : []) {
      const list = timings[m[1]!] ?? [];
      list.push(Number(m[2]));
      timings[m[1]!] = list;
    }
    const ok =
      res.statusCode === 200 && (!expectHeader || res.headers[expectHeader[0]] === expectHeader[1]);
    if (!ok && measuring) {
      errors++;
      if (!firstError) {
        firstError = `HTTP ${res.statusCode}, x-cache ${res.headers['x-cache'] ?? '-'}, x-region ${res.headers['x-region'] ?? '-'}`;
      }
    }
    const backendTotal = /\btotal;dur=([\d.]+)/.exec(String(st ?? ''))?.[1];
    return { ms: performance.now() - t0, backendTotal: backendTotal ? Number(backendTotal) : null };
  };
  const outside: number[] = [];
  // Warm-up: connections open, isolate and caches warm.
  for (let i = 0; i < warmup; i++) await one();
  measuring = true;
  const cpuBefore = processCpuNs(cpu?.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next++ < total) {
        const r = await one();
        lat.push(r.ms);
        if (r.backendTotal !== null) outside.push(r.ms - r.backendTotal);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (cpu) {
    const cpuAfter = processCpuNs(cpu.pid);
    const client = process.cpuUsage(clientBefore);
    cpu.ns =
      cpu.ns === null || cpuBefore === null || cpuAfter === null
        ? null
        : cpu.ns + cpuAfter - cpuBefore;
    cpu.clientNs += (client.user + client.system) * 1000;
    cpu.requests += total;
  }
  await pool.close();
  const serverTiming = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, pct(v, 50)]));
  return {
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    rps: total / seconds,
    errors,
    firstError,
    serverTiming,
    outsideBackendP50: outside.length ? pct(outside, 50) : null,
  };
}

const median = (xs: number[]) => pct(xs, 50);

/**
 * Runs each of `runs` once per round, in turn, and merges each one's rounds: throughput over
 * the time of all its rounds (equal counts per round), the median of the rounds' p50s and
 * Server-Timing medians, the worst p99.
 */
async function interleaved<const R extends readonly (() => Promise<LoadResult>)[]>(
  rounds: number,
  runs: R,
): Promise<{ [K in keyof R]: LoadResult }> {
  const results: LoadResult[][] = runs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, run] of runs.entries()) results[i]!.push(await run());
  }
  const merged = results.map((rs): LoadResult => {
    const keys = [...new Set(rs.flatMap((x) => Object.keys(x.serverTiming)))];
    const outside = rs.flatMap((x) => (x.outsideBackendP50 === null ? [] : [x.outsideBackendP50]));
    return {
      p50: median(rs.map((x) => x.p50)),
      p99: Math.max(...rs.map((x) => x.p99)),
      rps: rs.length / rs.reduce((sum, x) => sum + 1 / x.rps, 0),
      errors: rs.reduce((sum, x) => sum + x.errors, 0),
      firstError: rs.find((x) => x.firstError)?.firstError ?? null,
      serverTiming: Object.fromEntries(
        keys.map((k) => [k, median(rs.flatMap((x) => x.serverTiming[k] ?? []))]),
      ),
      outsideBackendP50: outside.length ? median(outside) : null,
    };
  });
  return merged as { [K in keyof R]: LoadResult };
}

/**
 * CPU time (ns) all threads of a process have used so far, from Linux's schedstat (ns
 * resolution); null where there is none. Latency at one connection also depends on how fast the
 * scheduler wakes each side, which varies from run to run here; CPU per request does not.
 */
function processCpuNs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    let sum = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return sum;
  } catch {
    return null;
  }
}

/**
 * CPU used over the measured requests (warm-ups excluded) of some runs: by a process (`ns`,
 * all its threads) and by this load generator (`clientNs`).
 */
interface CpuCount {
  pid: number | undefined;
  ns: number | null;
  clientNs: number;
  requests: number;
}

const cpuPerRequestUs = (ns: number | null, c: CpuCount) =>
  ns === null || c.requests === 0 ? 'n/a' : `${(ns / 1000 / c.requests).toFixed(0)} us`;

const fmt = (r: LoadResult) => {
  const st = Object.entries(r.serverTiming)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.rps.toFixed(0)} req/s${r.errors ? `, ${r.errors} errors (first: ${r.firstError})` : ''}${st ? ` (Server-Timing p50 ms: ${st})` : ''}`;
};

const LOOP_N = 500;
const LOOP_ROUNDS = 9;

/**
 * Workerd CPU per iteration of LOOP_WORKER for each side, rounds alternating: the edge's own
 * work on a cache hit, without the network or the scheduler in it, and the body's SHA-256.
 */
async function warmLoop(
  base: string,
  pid: number | undefined,
  init: { headers: Record<string, string>; body?: Buffer },
): Promise<{ fixed: number; edge: number; sha256: number }> {
  const run = async (side: 'fixed' | 'edge' | 'sha256', measured = true) => {
    const before = processCpuNs(pid);
    const res = await fetch(`${base}/?side=${side}&n=${LOOP_N}`, {
      method: 'POST',
      headers: init.headers,
      body: init.body ? new Uint8Array(init.body) : null,
    });
    const { answered } = (await res.json()) as { answered: number };
    const after = processCpuNs(pid);
    if (measured && answered !== LOOP_N)
      throw new Error(`warm loop (${side}): ${answered} of ${LOOP_N} answered`);
    return before === null || after === null ? Number.NaN : (after - before) / 1000 / LOOP_N;
  };
  // The first round fills the loop isolate's caches (key, beacons, the hit: its first requests
  // may be answered by a region) and warms its code.
  await run('fixed', false);
  await run('edge', false);
  await run('sha256', false);
  const fixed: number[] = [];
  const edge: number[] = [];
  const sha256: number[] = [];
  for (let r = 0; r < LOOP_ROUNDS; r++) {
    fixed.push(await run('fixed'));
    edge.push(await run('edge'));
    sha256.push(await run('sha256'));
  }
  return { fixed: pct(fixed, 50), edge: pct(edge, 50), sha256: pct(sha256, 50) };
}

function capnp(o: {
  edgePort: number;
  fixedPort: number;
  loopPort: number;
  /** Bare fetch() proxies, each to its upstream. */
  proxies: Array<{ name: string; port: number; upstream: string }>;
  bindings: Record<string, string>;
}): string {
  const text = (k: string, v: string) =>
    `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(v)})`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edge),
    (name = "fixed", worker = .fixed),
    (name = "loop", worker = .loop),
${o.proxies.map((p) => `    (name = "${p.name}", worker = .${p.name}),\n`).join('')}    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "edge", address = "127.0.0.1:${o.edgePort}", http = (), service = "edge"),
    (name = "fixed", address = "127.0.0.1:${o.fixedPort}", http = (), service = "fixed"),
    (name = "loop", address = "127.0.0.1:${o.loopPort}", http = (), service = "loop"),
${o.proxies.map((p) => `    (name = "${p.name}", address = "127.0.0.1:${p.port}", http = (), service = "${p.name}"),\n`).join('')}  ],
);
const edge :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "bundle/index.js")],
  compatibilityDate = "2026-04-20",
  bindings = [${Object.entries(o.bindings)
    .map(([k, v]) => text(k, v))
    .join(', ')}],
  globalOutbound = "net",
);
const fixed :Workerd.Worker = (
  modules = [(name = "fixed.js", esModule = embed "fixed.js")],
  compatibilityDate = "2026-04-20",
);
const loop :Workerd.Worker = (
  modules = [
    (name = "loop.js", esModule = embed "loop.js"),
    (name = "index.js", esModule = embed "bundle/index.js"),
    (name = "fixed.js", esModule = embed "fixed.js"),
  ],
  compatibilityDate = "2026-04-20",
  bindings = [${Object.entries(o.bindings)
    .map(([k, v]) => text(k, v))
    .join(', ')}],
  globalOutbound = "net",
);
${o.proxies
  .map(
    (p) => `const ${p.name} :Workerd.Worker = (
  modules = [(name = "proxy.js", esModule = embed "proxy.js")],
  compatibilityDate = "2026-04-20",
  bindings = [${text('UPSTREAM', p.upstream)}],
  globalOutbound = "net",
);
`,
  )
  .join('')}`;
}

const FIXED_WORKER = `export default { async fetch(request) {
  // Reads the body, as the edge must (to hash it); answers a fixed result.
  await request.arrayBuffer();
  return new Response('{"task_id":"x","words":[]}', { headers: { 'content-type': 'application/json' } });
} };`;
/**
 * The edge's own bundle and the fixed worker's module, each run `n` times inside one request
 * (`?side=edge|fixed|sha256&n=`), on a copy of the request's body; `sha256` hashes that body
 * with Web Crypto, as the edge does for an upload it does not hold. Warm: one iteration follows
 * another with nothing else run in between, unlike requests that arrive one at a time over the
 * network.
 */
const LOOP_WORKER = `import edge from './index.js';
import fixed from './fixed.js';
export default { async fetch(request, env, ctx) {
  const url = new URL(request.url);
  const n = Number(url.searchParams.get('n'));
  const side = url.searchParams.get('side');
  const body = new Uint8Array(await request.arrayBuffer());
  const headers = new Headers(request.headers);
  let answered = 0;
  for (let i = 0; i < n; i++) {
    if (side === 'sha256') {
      await crypto.subtle.digest('SHA-256', body);
      answered++;
      continue;
    }
    const req = new Request('http://edge/api/align', { method: 'POST', headers, body });
    const res = await (side === 'edge' ? edge : fixed).fetch(req, env, ctx);
    await res.arrayBuffer();
    if (side !== 'edge' || res.headers.get('x-cache') === 'HIT') answered++;
  }
  return Response.json({ answered });
} };`;
const PROXY_WORKER = `export default { fetch(request, env) {
  const u = new URL(request.url);
  return fetch(new Request(env.UPSTREAM + u.pathname + u.search, request));
} };`;

async function main(): Promise<void> {
  console.log(describeMachine());
  console.log(`requests per run: ${N}`);
  const dir = await mkdtemp(join(tmpdir(), 'falign-bench-edge-'));
  const redisServer = await startRedisServer();
  const token = randomBytes(16).toString('hex');
  // The REST server in its own process, apart from the load generator (as Upstash is).
  const restPort = await findFreePort();
  const restProc = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/run-ts.mjs'),
      join(ROOT, 'dev/upstash-rest/main.ts'),
      '--redis-url',
      redisServer.url,
      '--token',
      token,
      '--port',
      String(restPort),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    restProc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
    restProc.once('exit', () => reject(new Error('the REST server exited')));
  });
  const rest = { url: `http://127.0.0.1:${restPort}`, close: async () => void restProc.kill() };
  const redis = new UpstashRedis({ url: rest.url, token, enableTelemetry: false });
  const near = await startRegionStub('eu-west');
  const far = await startRegionStub('us-east');
  const publishers = [
    { region: 'eu-west', url: near.url, latitude: 53.35, longitude: -6.26 },
    { region: 'us-east', url: far.url, latitude: 39.04, longitude: -77.49 },
  ].map((r) => idleRegionPublisher(redis, r));
  for (const p of publishers) p.start();
  const keys = new ApiKeyService(new RedisApiKeyStore(redis));
  const { key } = await keys.create({
    tenant: 'bench',
    requests: 1_000_000_000,
    windowSeconds: 60,
  });

  const internalSecret = randomBytes(32).toString('hex');
  const audio = wavOfSize(200 * 1024);
  const miss = multipart(audio, 'a benchmark sentence that is never cached');
  const hitText = 'Hello world from the edge cache.';
  const hit = multipart(audio, hitText);
  const cached: CachedAlignment = {
    engine: ENGINE,
    language: 'English',
    duration: 6.4,
    timings: hitText.split(' ').map((_, i) => ({ start: i, end: i + 0.5, confidence: 0.9 })),
    compute_ms: 100,
  };
  await redis.set(
    await resultCacheKey({
      engine: ENGINE.name,
      revision: ENGINE.revision,
      language: 'English',
      audioSha256: await sha256Hex(audio),
      text: hitText,
    }),
    JSON.stringify(cached),
  );

  await buildBundle(ROOT, 'production', join(dir, 'bundle'), {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
  });
  await writeFile(join(dir, 'fixed.js'), FIXED_WORKER);
  await writeFile(join(dir, 'proxy.js'), PROXY_WORKER);
  await writeFile(join(dir, 'loop.js'), LOOP_WORKER);
  // The real backend of section 4, started now so a bare proxy to it can be configured; it idles
  // until then. Its result caches stay off: every request runs the engine.
  const backendKeys = new ApiKeyService(new FileApiKeyStore(join(dir, 'backend/api-keys.json')));
  const backendKey = (await backendKeys.create({ tenant: 'bench', requests: 1_000_000_000 })).key;
  const backend = await startBackendProcess({
    FA_DATA_DIR: join(dir, 'backend'),
    FA_ENGINE: 'dtw',
    FA_CACHE_ENTRIES: '0',
    FA_INTERNAL_SECRET: internalSecret,
    FA_LOG_LEVEL: 'warn',
  });
  const [edgePort, fixedPort, loopPort, proxyPort, realProxyPort] = [
    await findFreePort(),
    await findFreePort(),
    await findFreePort(),
    await findFreePort(),
    await findFreePort(),
  ];
  await writeFile(
    join(dir, 'config.capnp'),
    capnp({
      edgePort,
      fixedPort,
      loopPort,
      proxies: [
        { name: 'proxy', port: proxyPort, upstream: near.url },
        { name: 'realproxy', port: realProxyPort, upstream: backend.url },
      ],
      bindings: {
        ENVIRONMENT: 'dev',
        ALLOW_LOCATION_OVERRIDE: 'true',
        UPSTASH_REDIS_REST_URL: rest.url,
        UPSTASH_REDIS_REST_TOKEN: token,
        FA_INTERNAL_SECRET: internalSecret,
        CORS_ORIGINS: '*',
        ATTEMPT_TIMEOUT_MS: '5000',
        FORWARD_DEADLINE_MS: '10000',
      },
    }),
  );
  const workerd: ChildProcess = spawn(
    join(ROOT, 'node_modules/.bin/workerd'),
    [
      'serve',
      join(dir, 'config.capnp'),
      '--experimental',
      ...(values['inspector-port']
        ? ['--inspector-addr', `127.0.0.1:${values['inspector-port']}`]
        : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const edge = `http://127.0.0.1:${edgePort}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${edge}/health`)).ok) break;
    } catch {}
    if (i > 200) throw new Error('workerd did not start');
    await sleep(50);
  }
  try {
    const paris = { 'x-client-location': '48.86,2.35' };
    const post = (m: { body: Buffer; type: string }, extra: Record<string, string> = {}) => ({
      method: 'POST' as const,
      headers: { 'content-type': m.type, authorization: `Bearer ${key}`, ...paris, ...extra },
      body: m.body,
    });
    if (SECTIONS.has('1')) {
      console.log('\n1. 200 KB multipart align request (region answers a fixed result)');
      const results: Record<string, LoadResult> = {};
      for (const c of [1, 8]) {
        const total = c === 1 ? N : N * 2;
        results[`direct${c}`] = await load(`${near.url}/api/align`, c, total, post(miss));
        results[`proxy${c}`] = await load(
          `http://127.0.0.1:${proxyPort}/api/align`,
          c,
          total,
          post(miss),
        );
        results[`edge${c}`] = await load(`${edge}/api/align`, c, total, post(miss), [
          'x-region',
          'eu-west',
        ]);
        console.log(`  ${c} connection(s):`);
        console.log(`    direct to region        ${fmt(results[`direct${c}`]!)}`);
        console.log(`    bare workerd proxy      ${fmt(results[`proxy${c}`]!)}`);
        console.log(`    edge (auth+rl+cache+route) ${fmt(results[`edge${c}`]!)}`);
      }
      const added = results.edge1!.p50 - results.direct1!.p50;
      const keep = results.edge8!.rps / results.direct8!.rps;
      console.log(`  edge adds ${added.toFixed(2)} ms p50 at 1 connection (goal <= 1.5 ms)`);
      console.log(
        `  edge keeps ${(keep * 100).toFixed(0)}% of direct throughput at 8 connections (goal >= 70%)`,
      );
    }
    if (SECTIONS.has('2')) {
      console.log(
        '\n2. cache hit at the edge vs a worker returning a fixed response (1 connection)',
      );
      // The same 200 KB request, so both sides receive the same bytes.
      // Rounds alternate between the two sides, so a change in the machine's state falls on both.
      // Each round opens a new connection; 200 KB bodies are slow on it until the kernel has
      // grown its TCP windows, which takes a few hundred requests here (a shorter warm-up made
      // both sides slower and the ratio look better than it is).
      const hitRounds = 5;
      const warm = 300;
      // Both workers run in the one workerd process, one side at a time.
      const fixedCpu: CpuCount = { pid: workerd.pid, ns: 0, clientNs: 0, requests: 0 };
      const hitCpu: CpuCount = { pid: workerd.pid, ns: 0, clientNs: 0, requests: 0 };
      const [fixed, hitRes] = await interleaved(hitRounds, [
        () =>
          load(
            `http://127.0.0.1:${fixedPort}/api/align`,
            1,
            N / hitRounds,
            post(hit),
            undefined,
            warm,
            fixedCpu,
          ),
        () =>
          load(`${edge}/api/align`, 1, N / hitRounds, post(hit), ['x-cache', 'HIT'], warm, hitCpu),
      ]);
      const [fixedGet, health] = await interleaved(hitRounds, [
        () =>
          load(`http://127.0.0.1:${fixedPort}/`, 1, N / hitRounds, { method: 'GET', headers: {} }),
        () => load(`${edge}/health`, 1, N / hitRounds, { method: 'GET', headers: {} }),
      ]);
      console.log(`    fixed-response worker, GET      ${fmt(fixedGet)}`);
      console.log(`    edge GET /health (no Redis)     ${fmt(health)}`);
      console.log(`    fixed-response worker   ${fmt(fixed)}`);
      console.log(`    edge cache hit          ${fmt(hitRes)}`);
      console.log(`  ratio ${(hitRes.p50 / fixed.p50).toFixed(2)}x p50 (goal <= 1.5x)`);
      console.log(
        `  CPU per request, workerd: fixed-response worker ${cpuPerRequestUs(fixedCpu.ns, fixedCpu)}, edge cache hit ${cpuPerRequestUs(hitCpu.ns, hitCpu)}`,
      );
      console.log(
        `  CPU per request, load generator: fixed-response worker ${cpuPerRequestUs(fixedCpu.clientNs, fixedCpu)}, edge cache hit ${cpuPerRequestUs(hitCpu.clientNs, hitCpu)}`,
      );
      const inLoop = await warmLoop(`http://127.0.0.1:${loopPort}`, workerd.pid, post(hit));
      console.log(
        `  warm, ${LOOP_N} per request inside workerd (workerd CPU per iteration, median of ${LOOP_ROUNDS} rounds each): fixed handler ${inLoop.fixed.toFixed(0)} us, edge cache hit ${inLoop.edge.toFixed(0)} us (+${(inLoop.edge - inLoop.fixed).toFixed(0)} us); SHA-256 of the request body ${inLoop.sha256.toFixed(0)} us (what a miss or a first hit pays to key the cache)`,
      );
    }
    if (SECTIONS.has('3')) {
      console.log('\n3. failover: the nearest region is killed while requests flow (1 connection)');
      const pool = new Pool(edge, {
        connections: 1,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      let killedAt = 0;
      let firstElsewhere = 0;
      let failures = 0;
      for (let i = 0; i < 400 && !firstElsewhere; i++) {
        if (i === 50) {
          near.server.close();
          near.server.closeAllConnections();
          killedAt = performance.now();
        }
        const res = await pool.request({ path: '/api/align', ...post(miss) });
        await res.body.arrayBuffer();
        if (res.statusCode !== 200) failures++;
        if (killedAt && res.statusCode === 200 && res.headers['x-region'] === 'us-east') {
          firstElsewhere = performance.now();
        }
      }
      await pool.close();
      console.log(
        `  first request served by us-east ${(firstElsewhere - killedAt).toFixed(1)} ms after the kill; ${failures} failed requests (goal <= 1 s)`,
      );
    }
    if (SECTIONS.has('4')) {
      console.log(
        '\n4. against a real backend: `falign serve`, dtw engine, a sentence of flite speech',
      );
      // The stub regions leave; the real backend takes their place (the bench publishes its beacon,
      // so the backend needs no global store; the edge's global-cache look-up is a miss).
      for (const p of publishers) await p.stop({ withdraw: true });
      const speech = await speechWav(dir);
      const real = idleRegionPublisher(redis, {
        region: 'eu-real',
        url: backend.url,
        latitude: 53.35,
        longitude: -6.26,
      });
      real.start();
      try {
        // Past the edge's beacon cache: it now routes to the real backend only.
        await sleep(2_500);
        const speechBody = multipart(speech, SPEECH_TEXT);
        console.log(
          `  clip: ${(speech.byteLength / 1024).toFixed(0)} KB, ${((speech.byteLength - 44) / 32000).toFixed(1)} s`,
        );
        const direct = (extra: Record<string, string> = {}) => ({
          method: 'POST' as const,
          headers: {
            'content-type': speechBody.type,
            authorization: `Bearer ${backendKey}`,
            prefer: 'wait=60',
            ...extra,
          },
          body: speechBody.body,
        });
        const viaEdge = { ...post(speechBody, { prefer: 'wait=60' }) };
        // Rounds alternate between the paths, so a change in the machine's load (it is shared)
        // or in the engine's speed falls on all of them alike.
        const rounds = 3;
        const realUrl = (base: string) => `${base}/api/align`;
        const region = ['x-region', 'eu-real'] as [string, string];
        const [real1d, real1p, real1e] = await interleaved(rounds, [
          () => load(realUrl(backend.url), 1, BACKEND_N / 2 / rounds, direct()),
          () =>
            load(realUrl(`http://127.0.0.1:${realProxyPort}`), 1, BACKEND_N / 2 / rounds, direct()),
          () => load(realUrl(edge), 1, BACKEND_N / 2 / rounds, viaEdge, region),
        ]);
        const [real8d, real8e] = await interleaved(rounds, [
          () => load(realUrl(backend.url), 8, BACKEND_N / rounds, direct()),
          () => load(realUrl(edge), 8, BACKEND_N / rounds, viaEdge, region),
        ]);
        console.log(`  1 connection:  direct ${fmt(real1d)}`);
        console.log(`                 proxy  ${fmt(real1p)}`);
        console.log(`                 edge   ${fmt(real1e)}`);
        console.log(`  8 connections: direct ${fmt(real8d)}`);
        console.log(`                 edge   ${fmt(real8e)}`);
        const outside = (r: LoadResult) => r.outsideBackendP50?.toFixed(2) ?? '?';
        console.log(
          `  time outside the backend p50 (latency minus its Server-Timing total), 1 connection: direct ${outside(real1d)} ms, bare workerd proxy ${outside(real1p)} ms, edge ${outside(real1e)} ms`,
        );
        console.log(
          `  edge adds ${(real1e.p50 - real1d.p50).toFixed(2)} ms p50 at 1 connection (${((real1e.outsideBackendP50 ?? 0) - (real1d.outsideBackendP50 ?? 0)).toFixed(2)} ms outside the backend); keeps ${((real8e.rps / real8d.rps) * 100).toFixed(0)}% of direct throughput at 8`,
        );
      } finally {
        await real.stop({ withdraw: true });
      }
    }
  } finally {
    await backend.stop();
    try {
      process.kill(-workerd.pid!, 'SIGKILL');
    } catch {}
    for (const p of publishers) await p.stop({ withdraw: false });
    // Section 3 may have closed `near` already.
    for (const stub of [near, far]) {
      if (stub.server.listening) stub.server.close();
      stub.server.closeAllConnections();
    }
    await rest.close();
    await redisServer.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
