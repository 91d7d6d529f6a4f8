/**
 * `npm run loadtest`: the local stack under load, through the edge.
 *
 * Starts `falign stack` (or uses a running one: --url and --key), drives POST /api/align with
 * autocannon: sync (`Prefer: wait`) and async (202 + task, polled to the end) requests, seven
 * languages, clips of ~2-8 s (and ~20 s with --long), a share of repeated clips (edge cache
 * hits), clients placed in New York and Paris. Bounded by --duration and --max-requests.
 * Prints throughput, p50/p95/p99, answers by status/region/cache, and the async tasks'
 * outcomes; saves the figures to docs/img/data/ for the charts (scripts/charts.ts). Stops what it started.
 *
 *   npm run loadtest -- [--duration 30] [--connections 8] [--max-requests 600]
 *                       [--async-share 0.3] [--hot-share 0.3] [--long]
 *                       [--direct]          one backend directly (no edge), same mix
 *                       [--url URL --key fa_...]   a stack (or backend) already running
 *                       [--out path.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from '../machine.ts';
import { formatSummary, summarise } from './load-report.ts';
import { RequestMix } from './request-pool.ts';
import { runLoad } from './run-load.ts';
import { synthesiseClips } from './speech-clips.ts';
import { REPO_ROOT, startStackForLoad } from './stack-under-test.ts';
import { awaitTasks } from './task-poller.ts';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    direct: { type: 'boolean', default: false },
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '8' },
    'max-requests': { type: 'string', default: '600' },
    'async-share': { type: 'string', default: '0.3' },
    'hot-share': { type: 'string', default: '0.3' },
    long: { type: 'boolean', default: false },
    'task-wait': { type: 'string', default: '120' },
    out: { type: 'string' },
  },
});

process.stdout.write(`${describeMachine()}\n`);
if (o.url && !o.key) throw new Error('--url needs --key (the API key the stack printed)');
const clips = await synthesiseClips();
const stack = o.url ? null : await startStackForLoad();
try {
  const target = o.url ?? (o.direct ? stack!.regions[0]!.url : stack!.edgeUrl);
  const key =
    o.key ??
    (await stack!.keys.create({ tenant: 'load', name: 'loadtest', requests: 1_000_000 })).key;
  const mix = new RequestMix(clips, {
    asyncShare: Number(o['async-share']),
    hotShare: Number(o['hot-share']),
    waitSeconds: 60,
    long: o.long,
  });
  const label = o.direct ? 'direct (one backend, no edge)' : 'through the edge';
  process.stdout.write(
    `load ${label}: ${target}, ${o.connections} connections, ${o.duration} s or ${o['max-requests']} requests, async share ${o['async-share']}, hot share ${o['hot-share']}${o.long ? ', with ~20 s clips' : ''}\n`,
  );
  const run = await runLoad({
    url: target,
    streams: [{ tenant: 'load', apiKey: key, mix, connections: Number(o.connections) }],
    durationSeconds: Number(o.duration),
    maxRequests: Number(o['max-requests']),
    timeoutSeconds: 90,
  });
  const tasks = run.records.some((r) => r.taskId)
    ? await awaitTasks(target, run.records, { load: key }, run.startedAt, Number(o['task-wait']))
    : null;
  const summary = summarise(run, tasks);
  process.stdout.write(`${formatSummary(summary)}\n`);
  const out =
    o.out ??
    join(REPO_ROOT, 'docs/img/data', o.direct ? 'loadtest-direct.json' : 'loadtest-edge.json');
  await mkdir(join(out, '..'), { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify({ machine: describeMachine(), mode: o.direct ? 'direct' : 'edge', options: o, summary }, null, 2)}\n`,
  );
  process.stdout.write(`figures saved to ${out}\n`);
} finally {
  if (stack) {
    process.stdout.write('stopping the stack...\n');
    await stack.stop();
  }
}
