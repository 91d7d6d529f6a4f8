import { cpus, loadavg, totalmem } from 'node:os';

/** One line naming the machine a figure was measured on; every benchmark prints it first. */
export function describeMachine(): string {
  const c = cpus();
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  return `machine: ${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${load}`;
}
