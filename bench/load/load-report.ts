import type { LoadRun, RequestRecord } from './run-load.ts';
import type { TaskOutcomes } from './task-poller.ts';

/** p50/p95/p99 (nearest rank) and count of a set of latencies, ms. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function latencySummary(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0
      ? null
      : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : null,
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The figures of a load run, as printed and as saved to JSON for the charts. */
export interface LoadSummary {
  elapsedSeconds: number;
  answered: number;
  throughputPerSecond: number;
  byStatus: Record<string, number>;
  byRegion: Record<string, number>;
  byCache: Record<string, number>;
  byEngine: Record<string, number>;
  byTenant: Record<string, Record<string, number>>;
  connectionErrors: Record<string, number>;
  latency: {
    /** 200s computed by a region (not served from the edge cache). */
    syncComputed: LatencySummary;
    /** 200s answered from the edge cache. */
    cacheHits: LatencySummary;
    /** 202 acceptances of async requests. */
    asyncAccepted: LatencySummary;
    /** Every answered request. */
    all: LatencySummary;
  };
  tasks: TaskOutcomes | null;
}

const isHit = (r: RequestRecord) => r.cache === 'HIT';

export function summarise(run: LoadRun, tasks: TaskOutcomes | null): LoadSummary {
  const r = run.records;
  const byTenant: Record<string, Record<string, number>> = {};
  for (const rec of r) {
    const t = byTenant[rec.tenant] ?? {};
    t[rec.status] = (t[rec.status] ?? 0) + 1;
    byTenant[rec.tenant] = t;
  }
  return {
    elapsedSeconds: run.elapsedMs / 1000,
    answered: r.length,
    throughputPerSecond: r.length / (run.elapsedMs / 1000),
    byStatus: countBy(r, (x) => String(x.status)),
    byRegion: countBy(
      r.filter((x) => x.status < 300 && !isHit(x)),
      (x) => x.region ?? '(none)',
    ),
    byCache: countBy(
      r.filter((x) => x.status === 200),
      (x) => x.cache ?? '(none)',
    ),
    byEngine: countBy(
      r.filter((x) => x.status === 200),
      (x) => x.engine ?? '(none)',
    ),
    byTenant,
    connectionErrors: countBy(run.errors, (e) => e.error),
    latency: {
      syncComputed: latencySummary(
        r.filter((x) => x.status === 200 && !isHit(x)).map((x) => x.latencyMs),
      ),
      cacheHits: latencySummary(
        r.filter((x) => x.status === 200 && isHit(x)).map((x) => x.latencyMs),
      ),
      asyncAccepted: latencySummary(r.filter((x) => x.status === 202).map((x) => x.latencyMs)),
      all: latencySummary(r.map((x) => x.latencyMs)),
    },
    tasks,
  };
}

const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
const line = (name: string, s: LatencySummary) =>
  `  ${name.padEnd(22)} n=${String(s.count).padEnd(5)} p50 ${ms(s.p50).padEnd(9)} p95 ${ms(s.p95).padEnd(9)} p99 ${ms(s.p99).padEnd(9)} max ${ms(s.max)}`;

/** The summary as lines for the terminal. */
export function formatSummary(s: LoadSummary): string {
  const out = [
    `answered ${s.answered} requests in ${s.elapsedSeconds.toFixed(1)} s: ${s.throughputPerSecond.toFixed(2)} req/s`,
    `by status      ${JSON.stringify(s.byStatus)}`,
    `by region      ${JSON.stringify(s.byRegion)}  (2xx computed by a region)`,
    `cache (200s)   ${JSON.stringify(s.byCache)}`,
    `engine (200s)  ${JSON.stringify(s.byEngine)}`,
    `by tenant      ${JSON.stringify(s.byTenant)}`,
    `conn. errors   ${JSON.stringify(s.connectionErrors)}  (autocannon re-sent these)`,
    'latency:',
    line('sync, computed (200)', s.latency.syncComputed),
    line('edge cache hit (200)', s.latency.cacheHits),
    line('async accepted (202)', s.latency.asyncAccepted),
    line('every answer', s.latency.all),
  ];
  if (s.tasks) {
    const t = s.tasks;
    out.push(
      `async tasks: ${t.submitted} submitted, ${JSON.stringify(t.final)} final, ${t.unfinished} unfinished after ${t.waitedSeconds.toFixed(0)} s; submit-to-done ${line('', t.submitToDone).trim()}`,
    );
  }
  return out.join('\n');
}
