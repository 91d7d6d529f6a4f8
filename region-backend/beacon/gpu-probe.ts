import { execFile } from 'node:child_process';
import type { RegionBeacon } from '../../shared/beacon.ts';

/** GPU figures for the beacon; null when the machine has no GPU (never invented). */
export type GpuFigures = RegionBeacon['gpu'];

/** Reads the region's GPU figures. */
export interface GpuProbe {
  read(): Promise<GpuFigures>;
}

/**
 * Parses `nvidia-smi --query-gpu=memory.used,memory.total,utilization.gpu
 * --format=csv,noheader,nounits` (one line per GPU). Several GPUs are summed (memory) and
 * averaged (utilisation, as a 0..1 fraction). Null when no line parses.
 */
export function parseNvidiaSmi(stdout: string): GpuFigures {
  const rows = stdout
    .split('\n')
    .map((line) => line.split(',').map((f) => Number(f.trim())))
    .filter((f) => f.length === 3 && f.every((x) => Number.isFinite(x)));
  if (rows.length === 0) return null;
  let used = 0;
  let total = 0;
  let util = 0;
  for (const [u, t, p] of rows as Array<[number, number, number]>) {
    used += u;
    total += t;
    util += p;
  }
  return {
    memory_used_mb: used,
    memory_total_mb: total,
    utilization: Math.min(1, Math.max(0, util / rows.length / 100)),
  };
}

/**
 * The real probe: runs `nvidia-smi`. When the binary is absent the machine has no NVIDIA GPU,
 * and it is not asked again; a failing or hanging run reads as null this time.
 */
export class NvidiaSmiGpuProbe implements GpuProbe {
  #absent = false;

  constructor(
    private readonly binary = 'nvidia-smi',
    private readonly timeoutMs = 1_500,
  ) {}

  read(): Promise<GpuFigures> {
    if (this.#absent) return Promise.resolve(null);
    return new Promise((resolve) => {
      execFile(
        this.binary,
        ['--query-gpu=memory.used,memory.total,utilization.gpu', '--format=csv,noheader,nounits'],
        { timeout: this.timeoutMs, windowsHide: true },
        (err, stdout) => {
          if (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.#absent = true;
            resolve(null);
            return;
          }
          resolve(parseNvidiaSmi(stdout));
        },
      );
    });
  }
}
