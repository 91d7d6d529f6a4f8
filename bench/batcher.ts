/**
 * The DynamicBatcher's own cost per item: an instant engine (returns at once), so what is
 * measured is queueing, grouping, promise settlement and stats; compared with calling the
 * same instant engine directly, one item per call, from the same number of submitters.
 *
 *   node bin/run-ts.mjs bench/batcher.ts [--items 40000] [--rounds 5]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamicBatcher } from '../region-backend/batching/dynamic-batcher.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '5' },
  },
});
const ITEMS = Number(values.items);
const ROUNDS = Number(values.rounds);
const SUBMITTERS = [1, 4, 16];

interface Job {
  seconds: number;
}
const instantRun = async (items: Job[]): Promise<Job[]> => items;

/** `submitters` loops, each awaiting one item at a time, until `ITEMS` are done; µs per item. */
async function timeLoops(submitters: number, one: (job: Job) => Promise<unknown>): Promise<number> {
  const perLoop = Math.ceil(ITEMS / submitters);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: submitters }, async (_, s) => {
      for (let i = 0; i < perLoop; i++) await one({ seconds: 1 + ((s * 7 + i) % 30) });
    }),
  );
  return ((performance.now() - started) * 1000) / (perLoop * submitters);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function measure(submitters: number) {
  const direct: number[] = [];
  const batched: number[] = [];
  let runs = 0;
  let items = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const batcher = new DynamicBatcher<Job, Job>({
      run: instantRun,
      maxBatchSize: 16,
      maxQueueDelayMs: 0,
      maxQueueLength: 100_000,
      maxDurationRatio: Number.POSITIVE_INFINITY,
      onBatch: (e) => {
        runs += 1;
        items += e.size;
      },
    });
    const d = await timeLoops(submitters, (job) => instantRun([job]));
    const b = await timeLoops(submitters, (job) =>
      batcher.submit(job, { durationSeconds: job.seconds }),
    );
    await batcher.drain();
    if (round === 0) {
      runs = 0;
      items = 0;
      continue; // warm-up
    }
    direct.push(d);
    batched.push(b);
  }
  return { direct: median(direct), batched: median(batched), meanBatch: items / runs };
}

console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}`,
);
console.log(
  `DynamicBatcher overhead, instant engine, maxBatchSize 16, maxQueueDelayMs 0; ${ITEMS} items, median of ${ROUNDS} rounds`,
);
console.log('submitters | direct µs/item | batcher µs/item | overhead µs/item | mean batch');
for (const n of SUBMITTERS) {
  const r = await measure(n);
  console.log(
    `${String(n).padStart(10)} | ${r.direct.toFixed(2).padStart(14)} | ${r.batched.toFixed(2).padStart(15)} | ${(r.batched - r.direct).toFixed(2).padStart(16)} | ${r.meanBatch.toFixed(1).padStart(10)}`,
  );
}

// A deep backlog: every item submitted at once, so each batch is picked from a long queue.
console.log('\nbacklog submitted at once (maxBatchSize 8, maxDurationRatio 2)');
console.log('  backlog | batcher µs/item');
for (const backlog of [256, 2048, 10_000]) {
  const batcher = new DynamicBatcher<Job, Job>({
    run: instantRun,
    maxBatchSize: 8,
    maxQueueDelayMs: 0,
    maxQueueLength: 100_000,
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: backlog }, (_, i) =>
      batcher.submit({ seconds: 1 + (i % 30) }, { durationSeconds: 1 + (i % 30) }),
    ),
  );
  const us = ((performance.now() - started) * 1000) / backlog;
  console.log(`${String(backlog).padStart(9)} | ${us.toFixed(2).padStart(15)}`);
}
