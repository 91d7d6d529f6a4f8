/**
 * `npm run chaos`: the local stack under load while things break, and whether the issue's
 * "must show" properties hold (exit code 1 when one does not).
 *
 * While a steady tenant's mixed load (sync + async, several languages, some repeated clips)
 * runs through the edge:
 *  1. us-east is killed (SIGKILL) and started again on the same port;
 *  2. the stack's redis-server is frozen (SIGSTOP) for a few seconds, with probes by a known
 *     and an unknown API key;
 *  3. eu-west is restarted on qwen3 with a corrupt model directory (every forward pass fails
 *     in onnxruntime): first without a fallback (its breaker opens, it reports not ready,
 *     traffic moves to us-east), then with FA_FALLBACK_ENGINE=dtw (the fallback answers);
 *  4. a second tenant floods the edge far past its rate limit.
 * Every answer is recorded (status, region, cache, engine, Retry-After) and printed as counts
 * by phase and outcome; the records go to docs/img/data/chaos.json for the charts.
 *
 *   npm run chaos -- [--connections 4] [--pause-seconds 4]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateApiKey } from '../../shared/api-keys.ts';
import { describeMachine } from '../machine.ts';
import { type ChaosEvent, isLost, outcomeOf, phaseOf, phasesOf, sentAt } from './chaos-timeline.ts';
import { prepareFaultyQwen3Dir } from './faulty-qwen3-model.ts';
import { latencySummary } from './load-report.ts';
import { pauseRedis, redisPid } from './redis-pause.ts';
import { RegionControl } from './region-control.ts';
import { RequestMix } from './request-pool.ts';
import { type LoadRun, type RequestRecord, runLoad } from './run-load.ts';
import { synthesiseClips } from './speech-clips.ts';
import { REPO_ROOT, startStackForLoad } from './stack-under-test.ts';
import { awaitTasks } from './task-poller.ts';

const { values: o } = parseArgs({
  options: {
    connections: { type: 'string', default: '4' },
    'pause-seconds': { type: 'string', default: '4' },
    out: { type: 'string', default: join(REPO_ROOT, 'docs/img/data/chaos.json') },
  },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Hard bound on the whole load, whatever happens. */
const MAX_LOAD_SECONDS = 420;

process.stdout.write(`${describeMachine()}\n`);
const [clips, faultyModelDir] = await Promise.all([synthesiseClips(), prepareFaultyQwen3Dir()]);
const stack = await startStackForLoad();
const usEast = new RegionControl(stack.regions.find((r) => r.region === 'us-east')!);
const euWest = new RegionControl(stack.regions.find((r) => r.region === 'eu-west')!);
let failed = false;
try {
  await Promise.all([usEast.capture(), euWest.capture()]);
  const steadyKey = (await stack.keys.create({ tenant: 'steady', requests: 1_000_000 })).key;
  const floodKey = (await stack.keys.create({ tenant: 'flood', requests: 10, windowSeconds: 10 }))
    .key;
  const pid = await redisPid(stack.redisUrl);
  const events: ChaosEvent[] = [];
  const probes: {
    sent: number;
    at: number;
    what: string;
    status: number;
    retryAfter: string | null;
  }[] = [];
  const stopLoad = new AbortController();
  const startedAt = Date.now();
  const now = () => Date.now() - startedAt;
  const mark = (name: string) => {
    events.push({ at: now(), name });
    process.stdout.write(`[${(now() / 1000).toFixed(1).padStart(6)} s] ${name}\n`);
  };
  const probe = async (what: string, key: string) => {
    const sent = now();
    const res = await fetch(
      `${stack.edgeUrl}/api/tasks/00000000-0000-4000-8000-000000000000/status`,
      {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(10_000),
      },
    ).catch(() => null);
    await res?.body?.cancel();
    const p = {
      sent,
      at: now(),
      what,
      status: res?.status ?? 0,
      retryAfter: res?.headers.get('retry-after') ?? null,
    };
    probes.push(p);
    return p;
  };
  const readyState = async (url: string) => {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3000) }).catch(
      () => null,
    );
    return res ? { status: res.status, body: await res.text() } : { status: 0, body: '' };
  };

  const steady = runLoad({
    url: stack.edgeUrl,
    streams: [
      {
        tenant: 'steady',
        apiKey: steadyKey,
        mix: new RequestMix(
          clips,
          { asyncShare: 0.25, hotShare: 0.2, waitSeconds: 60, long: false },
          7,
        ),
        connections: Number(o.connections),
      },
    ],
    durationSeconds: MAX_LOAD_SECONDS,
    maxRequests: 100_000,
    timeoutSeconds: 90,
    signal: stopLoad.signal,
  });

  let flood: Promise<LoadRun> | null = null;
  let floodOffset = 0;
  const script = (async () => {
    await sleep(12_000);
    mark('us-east killed');
    await usEast.kill();
    await sleep(8_000);
    mark('us-east restarting');
    const back = usEast.start();
    await back.ready;
    mark('us-east back');
    await sleep(15_000);

    mark('redis paused');
    const pauseMs = Number(o['pause-seconds']) * 1000;
    const paused = pauseRedis(pid, pauseMs);
    await sleep(Math.min(1000, pauseMs / 3));
    // An unknown key cannot be checked: refused (503), never let through.
    await probe('unknown key, redis paused', generateApiKey());
    await paused;
    mark('redis resumed');
    for (let i = 0; i < 20; i++) {
      const p = await probe('unknown key, after the pause', generateApiKey());
      if (p.status === 401) break;
      await sleep(500);
    }
    await sleep(8_000);

    mark('eu-west restarting on a failing qwen3, no fallback');
    await euWest.kill();
    // The breaker stays open for the rest of the run once it opens (no half-open trials).
    const failingQwen3 = {
      FA_ENGINE: 'qwen3',
      FA_MODEL_DIR: faultyModelDir,
      FA_DEVICE: 'cpu',
      FA_BREAKER_RESET_MS: '120000',
    };
    const noFallback = euWest.start(failingQwen3);
    await noFallback.ready;
    mark('eu-west qwen3 failing, no fallback');
    // Floods start here, so the steady tenant's 429 count is watched across both fault modes.
    floodOffset = now();
    flood = runLoad({
      url: stack.edgeUrl,
      streams: [
        {
          tenant: 'flood',
          apiKey: floodKey,
          mix: new RequestMix(
            clips,
            { asyncShare: 0, hotShare: 1, waitSeconds: 30, long: false },
            11,
          ),
          connections: 8,
        },
      ],
      durationSeconds: 20,
      maxRequests: 5000,
      timeoutSeconds: 60,
    });
    await sleep(20_000);
    const openState = await readyState(euWest.url);
    process.stdout.write(`        eu-west /ready: ${openState.status} ${openState.body}\n`);
    events.push({ at: now(), name: `eu-west /ready ${openState.status}` });

    mark('eu-west restarting on a failing qwen3 with dtw fallback');
    await euWest.kill();
    const withFallback = euWest.start({ ...failingQwen3, FA_FALLBACK_ENGINE: 'dtw' });
    await withFallback.ready;
    mark('eu-west qwen3 failing, dtw fallback');
    await sleep(25_000);
    const fallbackState = await readyState(euWest.url);
    process.stdout.write(`        eu-west /ready: ${fallbackState.status} ${fallbackState.body}\n`);
    mark('end of chaos');
    return { openState, fallbackState };
  })();

  const states = await script.finally(() => stopLoad.abort());
  const run = await steady;
  const floodRun = flood ? await (flood as Promise<LoadRun>) : null;
  process.stdout.write('load stopped; waiting for the async tasks to finish...\n');
  const tasks = await awaitTasks(
    stack.edgeUrl,
    run.records,
    { steady: steadyKey },
    run.startedAt,
    180,
  );

  // Everything on one clock: the load's start.
  const shift = (r: RequestRecord, by: number) => ({ ...r, at: r.at + by });
  const loadShift = run.startedAt - startedAt;
  const steadyRecords = run.records.map((r) => shift(r, loadShift));
  const floodRecords = (floodRun?.records ?? []).map((r) => shift(r, floodOffset));
  const end = Math.max(now(), ...steadyRecords.map((r) => r.at));
  const phases = phasesOf(
    events.filter((e) => !e.name.startsWith('eu-west /ready')),
    end,
  );
  const all = [...steadyRecords, ...floodRecords];

  // What happened to every request: counts by phase and outcome, per tenant.
  process.stdout.write('\nevery answer, by tenant, phase (by send time) and outcome:\n');
  for (const tenant of ['steady', 'flood']) {
    for (const phase of phases) {
      const inPhase = all.filter(
        (r) => r.tenant === tenant && phaseOf(phases, sentAt(r)) === phase.name,
      );
      if (inPhase.length === 0) continue;
      const counts: Record<string, number> = {};
      for (const r of inPhase) counts[outcomeOf(r)] = (counts[outcomeOf(r)] ?? 0) + 1;
      const engines: Record<string, number> = {};
      for (const r of inPhase.filter((x) => x.status === 200 && x.cache !== 'HIT'))
        engines[`${r.region}:${r.engine}`] = (engines[`${r.region}:${r.engine}`] ?? 0) + 1;
      process.stdout.write(
        `  ${tenant.padEnd(7)} ${phase.name.padEnd(56)} ${JSON.stringify(counts)} engines ${JSON.stringify(engines)}\n`,
      );
    }
  }
  const connErrors = run.errors.length;
  process.stdout.write(
    `  connection errors (steady): ${connErrors} ${JSON.stringify(run.errors.slice(0, 5))}\n`,
  );
  process.stdout.write(`probes: ${JSON.stringify(probes)}\n`);
  process.stdout.write(
    `async tasks: ${tasks.submitted} submitted, ${JSON.stringify(tasks.final)} final, ${tasks.unfinished} unfinished; failures ${JSON.stringify(tasks.failures)}\n`,
  );
  const problems: Record<string, number> = {};
  for (const r of all.filter(isLost)) {
    const k = `${r.tenant} ${r.status} ${r.region ?? '-'} ${r.problem}`;
    problems[k] = (problems[k] ?? 0) + 1;
  }
  process.stdout.write(
    `answers counted as lost, by problem: ${JSON.stringify(problems, null, 1)}\n`,
  );

  // The "must show" properties.
  const checks: { name: string; ok: boolean; detail: string }[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    if (!ok) failed = true;
  };
  const at = (name: string) => events.find((e) => e.name === name)!.at;
  const window = (from: number, to: number, tenant = 'steady') =>
    all.filter((r) => r.tenant === tenant && sentAt(r) >= from && sentAt(r) < to);
  const computed = (rs: RequestRecord[]) =>
    rs.filter((r) => r.status === 200 && r.cache !== 'HIT').map((r) => r.latencyMs);

  const killWindow = window(at('us-east killed'), at('redis paused'));
  const killLost = killWindow.filter(isLost);
  check(
    'region killed and restarted: no request lost',
    killLost.length === 0 &&
      run.errors.filter((e) => e.at + loadShift < at('redis paused')).length === 0,
    `${killWindow.length} answers, lost ${killLost.length} ${JSON.stringify(killLost.slice(0, 3).map(outcomeOf))}`,
  );
  const baseP99 = latencySummary(computed(window(0, at('us-east killed')))).p99 ?? 0;
  const killP99 = latencySummary(computed(killWindow)).p99 ?? 0;
  const p99Bound = Math.max(3 * baseP99, baseP99 + 10_000);
  check(
    'region killed: p99 stays bounded',
    killP99 <= p99Bound,
    `p99 ${Math.round(killP99)} ms vs baseline ${Math.round(baseP99)} ms (bound ${Math.round(p99Bound)} ms)`,
  );
  const backAgain = window(at('us-east back'), end).filter(
    (r) => r.status < 300 && r.region === 'us-east',
  );
  check(
    'the killed region receives traffic again after it returns',
    backAgain.length > 0,
    `${backAgain.length} answers from us-east after it came back`,
  );
  check(
    'every async task completed',
    tasks.submitted > 0 && tasks.final.completed === tasks.submitted,
    `${tasks.submitted} submitted, ${JSON.stringify(tasks.final)}, ${tasks.unfinished} unfinished`,
  );

  const pauseFrom = at('redis paused');
  const pauseTo = at('redis resumed');
  const duringPause = window(pauseFrom, pauseTo);
  const pauseLost = duringPause.filter(isLost);
  check(
    'redis paused: the edge keeps serving (no lost answers, some 200s)',
    pauseLost.length === 0 && duringPause.some((r) => r.status === 200),
    `${duringPause.length} sent during the pause: ${JSON.stringify(countOutcomes(duringPause))}`,
  );
  check(
    'redis paused: rate limits fail open (no 429 for a known key)',
    !duringPause.some((r) => r.status === 429),
    `${duringPause.filter((r) => r.status === 429).length} x 429`,
  );
  const unknownPaused = probes.find((p) => p.what === 'unknown key, redis paused');
  check(
    'redis paused: auth fails closed for unknown keys (refused: 503 or 401, never let through)',
    unknownPaused !== undefined && (unknownPaused.status === 503 || unknownPaused.status === 401),
    `${JSON.stringify(unknownPaused)}; answered ${unknownPaused ? unknownPaused.at - unknownPaused.sent : '-'} ms after it was sent (the pause ended at ${pauseTo} ms)`,
  );
  const unknownAfter = probes.filter((p) => p.what === 'unknown key, after the pause');
  const afterPause = window(pauseTo, at('eu-west restarting on a failing qwen3, no fallback'));
  check(
    'redis resumed: recovers by itself (unknown key 401 again, 200s again)',
    unknownAfter.some((p) => p.status === 401) && afterPause.some((r) => r.status === 200),
    `probes ${JSON.stringify(unknownAfter.map((p) => p.status))}, ${afterPause.filter((r) => r.status === 200).length} x 200 after`,
  );

  const noFbFrom = at('eu-west qwen3 failing, no fallback');
  const fbFrom = at('eu-west qwen3 failing, dtw fallback');
  check(
    'engine failing without fallback: breaker opens, region reports not ready',
    states.openState.status === 503 && /breaker/.test(states.openState.body),
    `eu-west /ready ${states.openState.status} ${states.openState.body.slice(0, 120)}`,
  );
  const parisNoFb = window(
    noFbFrom + 5000,
    at('eu-west restarting on a failing qwen3 with dtw fallback'),
  ).filter((r) => r.kind.location === 'paris' && r.status === 200 && r.cache !== 'HIT');
  check(
    'engine failing without fallback: traffic moves to the other region',
    parisNoFb.length > 0 && parisNoFb.every((r) => r.region === 'us-east'),
    `Paris clients' computed 200s: ${JSON.stringify(countBy(parisNoFb, (r) => r.region ?? '?'))}`,
  );
  const fbAnswers = window(fbFrom, end).filter(
    (r) => r.status === 200 && r.region === 'eu-west' && r.cache !== 'HIT',
  );
  check(
    'engine failing with a fallback: the fallback (dtw) answers in that region',
    fbAnswers.length > 0 && fbAnswers.every((r) => r.engine === 'dtw'),
    `eu-west 200s: ${JSON.stringify(countBy(fbAnswers, (r) => r.engine ?? '?'))}; /ready ${states.fallbackState.status}`,
  );
  const faultLost = window(at('eu-west restarting on a failing qwen3, no fallback'), end).filter(
    isLost,
  );
  check(
    'engine failing: no request lost',
    faultLost.length === 0,
    `${faultLost.length} lost ${JSON.stringify(countOutcomes(faultLost))}`,
  );

  const floodWindow = floodRecords.length
    ? [Math.min(...floodRecords.map(sentAt)), Math.max(...floodRecords.map((r) => r.at))]
    : [0, 0];
  const flooded = floodRecords.filter((r) => r.status === 429);
  const steadyInFlood = window(floodWindow[0]!, floodWindow[1]!);
  check(
    'flood: the flooding tenant gets 429s with Retry-After, the others none',
    flooded.length > 0 &&
      flooded.every((r) => r.retryAfter !== null) &&
      !steadyInFlood.some((r) => r.status === 429),
    `flood ${JSON.stringify(countOutcomes(floodRecords))}; steady meanwhile ${JSON.stringify(countOutcomes(steadyInFlood))}`,
  );

  process.stdout.write('\nmust show:\n');
  for (const c of checks)
    process.stdout.write(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}\n`);

  await mkdir(join(o.out, '..'), { recursive: true });
  await writeFile(
    o.out,
    `${JSON.stringify({
      machine: describeMachine(),
      events,
      phases,
      probes,
      tasks,
      checks,
      // The steady tenant's every answer; the flood as counts per second (thousands of 429s).
      records: steadyRecords.map((r) => ({
        at: r.at,
        sent: sentAt(r),
        latencyMs: r.latencyMs,
        status: r.status,
        region: r.region,
        cache: r.cache,
        engine: r.engine,
        mode: r.kind.mode,
        location: r.kind.location,
        problem: r.problem,
      })),
      floodPerSecond: perSecond(floodRecords),
      connectionErrors: run.errors.map((e) => ({ ...e, at: e.at + loadShift })),
    })}\n`,
  );
  process.stdout.write(`records saved to ${o.out}\n`);
} catch (err) {
  failed = true;
  process.stderr.write(`chaos run failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  process.stdout.write('stopping everything started...\n');
  await usEast.stop();
  await euWest.stop();
  await stack.stop();
  await rm(faultyModelDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

function countBy(
  items: RequestRecord[],
  key: (r: RequestRecord) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of items) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

/** Answers per second of the run, by outcome. */
function perSecond(items: RequestRecord[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of items) {
    const second = String(Math.floor(r.at / 1000));
    const bucket = out[second] ?? {};
    bucket[outcomeOf(r)] = (bucket[outcomeOf(r)] ?? 0) + 1;
    out[second] = bucket;
  }
  return out;
}

function countOutcomes(items: RequestRecord[]): Record<string, number> {
  return countBy(items, outcomeOf);
}
