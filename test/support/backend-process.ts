import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '../..');

export interface BackendProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed (JSON log lines), for assertions about logs. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `falign serve` as a real child process on a free port and resolves once it prints its
 * URL (and, unless `waitReady` is false, once /ready answers 200).
 */
export async function startBackendProcess(
  env: Record<string, string>,
  options: { waitReady?: boolean; timeoutMs?: number } = {},
): Promise<BackendProcess> {
  const child = spawn(process.execPath, [join(REPO, 'bin/falign.mjs'), 'serve'], {
    cwd: REPO,
    env: { ...process.env, FA_PORT: '0', FA_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not start:\n${out}`)), timeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code}:\n${out}`));
    });
  });
  if (options.waitReady !== false) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(`${url}/ready`).catch(() => null);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`backend never became ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    child,
    output: () => out,
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
