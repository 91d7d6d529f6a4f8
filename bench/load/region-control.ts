import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackRegion } from '../../dev/stack/local-stack.ts';
import { REPO_ROOT } from './stack-under-test.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signals a child (SIGKILL after 5 s if it ignores SIGTERM) and resolves once it is gone. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** The environment a running process was started with (Linux /proc). */
async function environmentOf(pid: number): Promise<Record<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** A regional backend process the chaos run started itself (a restart). */
export interface RestartedRegion {
  region: string;
  url: string;
  pid: number;
  /** Resolves once GET /ready answers 200 (the engine is loaded). */
  ready: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Controls one region of the stack: kill it (SIGKILL, as a crashed host), and start it again
 * with the very environment the stack gave it (read from /proc before the kill: internal
 * secret, REST token, port, coordinates) plus `overrides` (e.g. another engine).
 */
export class RegionControl {
  private env: Record<string, string> | null = null;
  private current: { pid: number; child: ChildProcess | null; region: StackRegion | null };

  constructor(private readonly region: StackRegion) {
    this.current = { pid: region.pid, child: null, region };
  }

  get name(): string {
    return this.region.region;
  }

  get url(): string {
    return this.region.url;
  }

  /** Reads the process environment; call while the stack's process still runs. */
  async capture(): Promise<void> {
    this.env = await environmentOf(this.region.pid);
  }

  /** SIGKILL to whatever process serves the region now; resolves when it is gone. */
  async kill(): Promise<void> {
    const { child, region } = this.current;
    if (child) await stopChild(child, 'SIGKILL');
    else if (region) {
      region.signal('SIGKILL');
      await region.exited;
    }
  }

  /** Starts the region again (same port and identity), optionally with other FA_* settings. */
  start(overrides: Record<string, string> = {}): RestartedRegion {
    if (!this.env) throw new Error('capture() the environment first');
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin/run-ts.mjs'), join(REPO_ROOT, 'dev/stack/region-process.ts')],
      { cwd: REPO_ROOT, env: { ...this.env, ...overrides }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString();
    });
    this.current = { pid: child.pid!, child, region: null };
    const url = this.region.url;
    const ready = (async () => {
      const deadline = Date.now() + 240_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${this.name} exited: ${stderr.slice(-2000)}`);
        try {
          const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
          await res.body?.cancel();
          if (res.ok) return;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`${this.name} not ready in time`);
        await sleep(250);
      }
    })();
    ready.catch(() => {});
    return {
      region: this.name,
      url,
      pid: child.pid!,
      ready,
      kill: (signal = 'SIGTERM') => stopChild(child, signal),
    };
  }

  /** Stops a process this control started (the stack stops its own). */
  async stop(): Promise<void> {
    if (this.current.child) await stopChild(this.current.child, 'SIGTERM');
  }
}
