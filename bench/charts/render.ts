/**
 * Regenerates the SVG charts of docs/benchmarks.md:
 * - from the tables the engine, edge and async benchmarks published in docs/benchmarks.md
 *   (so a chart shows exactly the figures its section prints), and
 * - from the JSON that `npm run loadtest` and `npm run chaos` write to docs/img/data/.
 * A chart whose source is missing is skipped with a note.
 *
 *   node bin/run-ts.mjs bench/charts/render.ts
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BarRow, barChart } from './bar-chart.ts';
import { firstNumber, tablesIn } from './markdown-table.ts';
import { timelineChart } from './timeline-chart.ts';

const REPO = join(import.meta.dirname, '../..');
const IMG = join(REPO, 'docs/img');
const DATA = join(IMG, 'data');
const docs = await readFile(join(REPO, 'docs/benchmarks.md'), 'utf8');
await mkdir(IMG, { recursive: true });

async function save(name: string, svg: string): Promise<void> {
  await writeFile(join(IMG, name), svg);
  process.stdout.write(`wrote docs/img/${name}\n`);
}

async function readJson<T>(name: string): Promise<T | null> {
  const path = join(DATA, name);
  if (!existsSync(path)) {
    process.stdout.write(`skipped: docs/img/data/${name} not found\n`);
    return null;
  }
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

function trySection(heading: string, render: (tables: string[][][]) => Promise<void>) {
  try {
    return render(tablesIn(docs, heading));
  } catch (err) {
    process.stdout.write(`skipped "${heading}": ${(err as Error).message}\n`);
    return Promise.resolve();
  }
}

// Engine: Qwen3 real-time factor by clip length and batch (the latest run's table).
await trySection('Qwen3 engine', async (tables) => {
  const [header, ...rows] = tables[0]!;
  const rtf = header!.indexOf('RTF');
  await save(
    'engine-qwen3-rtf.svg',
    barChart({
      title: 'qwen3 engine on CPU: real-time factor (lower is better)',
      unit: 'RTF = compute seconds / audio seconds',
      series: ['this CPU (2 cores, overloaded run)'],
      rows: rows.map((r) => ({
        label: `${r[0]} s clip, batch ${r[1]}`,
        values: [firstNumber(r[rtf])],
      })),
      note: 'node bin/run-ts.mjs bench/qwen3-engine.ts; official figure: RTF 0.0089 on one data-centre GPU (bf16, FlashAttention)',
    }),
  );
});

// Backend: the service's throughput against the engine in process.
await trySection('Backend (one regional process)', async (tables) => {
  const [, ...body] = tables[0]!;
  const rows = body
    .filter((r) => /clips\/s/.test(r[1] ?? ''))
    .map((r) => ({ label: r[0]!, values: [firstNumber(r[1])] }));
  await save(
    'backend-throughput.svg',
    barChart({
      title: 'One backend: HTTP service vs the engine in process (dtw, 10 s clips)',
      unit: 'clips per second (higher is better)',
      series: ['clips/s'],
      rows,
      note: 'node bin/run-ts.mjs bench/backend-service.ts (result cache off)',
    }),
  );
});

// Edge: the cost of each layer for a 200 KB align request, and answers without a region, from
// the section's first two tables (the latest figures; older runs follow them).
await trySection('Edge (Workers app', async (tables) => {
  const rows: BarRow[] = [];
  for (const table of tables.filter((t) => /p50 \/ p99/.test(t[0]!.join('|'))).slice(0, 2)) {
    const [, ...body] = table;
    for (const r of body) {
      const v = firstNumber(r[1]);
      if (v !== null && !r[0]!.startsWith('('))
        rows.push({ label: r[0]!.replace(/`/g, ''), values: [v] });
    }
  }
  await save(
    'edge-latency.svg',
    barChart({
      title: 'Edge under workerd serve: 200 KB request, 1 connection, p50',
      unit: 'ms (p50, lower is better)',
      series: ['p50'],
      rows,
      note: 'node bin/run-ts.mjs bench/edge-workerd.ts --requests 1000 (the region is a fixed-answer server)',
    }),
  );
});

// Async: latency until the client holds the result, sync vs async, 1/10/100 at once.
await trySection('Async tasks', async (tables) => {
  const [, ...body] = tables[0]!;
  const paths = [...new Set(body.map((r) => r[1]!))];
  const depths = [...new Set(body.map((r) => r[0]!))];
  await save(
    'async-latency.svg',
    barChart({
      title: 'Sync vs async (durable: BullMQ + Redis), p50 until the client has the result',
      unit: 'seconds (p50, lower is better)',
      series: paths,
      rows: depths.map((d) => ({
        label: `${d} at once`,
        values: paths.map((p) => firstNumber(body.find((r) => r[0] === d && r[1] === p)?.[2])),
      })),
      note: 'node bin/run-ts.mjs bench/async-tasks.ts (dtw engine, 2 s clip, own transcript per request)',
    }),
  );
});

// Whole system: the load test through the edge and directly to one backend.
interface Latency {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
interface LoadFile {
  summary: {
    throughputPerSecond: number;
    latency: { syncComputed: Latency; cacheHits: Latency; asyncAccepted: Latency };
  };
}
const edgeLoad = await readJson<LoadFile>('loadtest-edge.json');
const directLoad = await readJson<LoadFile>('loadtest-direct.json');
if (edgeLoad) {
  const rows: BarRow[] = [];
  const add = (label: string, l: Latency | undefined) =>
    l && l.p50 !== null && rows.push({ label, values: [l.p50, l.p95, l.p99] });
  add('edge: sync, computed', edgeLoad.summary.latency.syncComputed);
  if (directLoad) add('direct: sync, computed', directLoad.summary.latency.syncComputed);
  add('edge: cache hit', edgeLoad.summary.latency.cacheHits);
  if (directLoad) add('direct: backend cache hit', directLoad.summary.latency.cacheHits);
  add('edge: async accepted (202)', edgeLoad.summary.latency.asyncAccepted);
  if (directLoad) add('direct: async accepted (202)', directLoad.summary.latency.asyncAccepted);
  await save(
    'load-latency.svg',
    barChart({
      title: 'npm run loadtest: latency under mixed load (local stack, dtw engine)',
      unit: 'ms (lower is better)',
      series: ['p50', 'p95', 'p99'],
      rows,
      note: 'npm run loadtest (edge under wrangler dev) / npm run loadtest -- --direct; shared 2-core machine',
    }),
  );
}

// Chaos: every answer of the steady tenant over time, with the chaos events.
interface ChaosFile {
  events: { at: number; name: string }[];
  records: {
    sent: number;
    latencyMs: number;
    status: number;
    region: string | null;
    cache: string | null;
    engine: string | null;
  }[];
}
const chaos = await readJson<ChaosFile>('chaos.json');
if (chaos) {
  const outcome = (r: ChaosFile['records'][number]) => {
    if (r.status === 200 && r.cache === 'HIT') return '200 edge cache';
    if (r.status === 200) return `200 ${r.region} (${r.engine})`;
    return String(r.status);
  };
  await save(
    'chaos-timeline.svg',
    timelineChart({
      title:
        "npm run chaos: the steady tenant's every answer while regions, Redis and an engine fail",
      points: chaos.records.map((r) => ({
        sentMs: r.sent,
        latencyMs: r.latencyMs,
        outcome: outcome(r),
      })),
      events: chaos.events.filter((e) => !e.name.startsWith('eu-west /ready')),
      binSeconds: 5,
      note: 'npm run chaos; local stack, edge under wrangler dev, dtw engine; shared 2-core machine',
    }),
  );
}
