import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WranglerDevOptions {
  /** Repository root (where wrangler.toml is). */
  cwd: string;
  port: number;
  /** wrangler.toml environment. */
  env?: string;
  /** Vars that override wrangler.toml's (`--var`). */
  vars?: Record<string, string>;
  /** Secrets, passed through a private env file rather than the command line. */
  secrets?: Record<string, string>;
  startTimeoutMs?: number;
  /** Where wrangler's output goes (inherit it for an interactive stack). */
  stdio?: 'inherit' | 'ignore';
  /**
   * Serve a bundle built once at start instead of watching the sources: `wrangler dev`
   * restarts the worker on every source change (and drops requests in flight), which tests
   * sharing a working tree with ongoing edits cannot have.
   */
  frozen?: boolean;
  /** Aborting it while starting stops wrangler at once. */
  signal?: AbortSignal;
}

export interface WranglerDev {
  url: string;
  pid: number;
  /** Stops wrangler and its workerd (the whole process group). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the edge under `wrangler dev`, offline (no metrics, no cf fetch), in its own process
 * group so that stopping it also stops workerd, and waits until GET /health answers.
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  // Something else answering on the port would pass the health check below.
  if (!(await portIsFree(options.port))) {
    throw new Error(`port ${options.port} is in use; choose another (falign stack --port N)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'falign-wrangler-'));
  const envFile = join(dir, 'secrets.env');
  await writeFile(
    envFile,
    Object.entries(options.secrets ?? {})
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const wranglerEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_LOG_PATH: join(dir, 'logs'),
  };
  const bundle = options.frozen
    ? await buildBundle(options.cwd, options.env ?? 'dev', join(dir, 'bundle'), wranglerEnv)
    : null;
  const args = [
    'wrangler',
    'dev',
    ...(bundle ? [bundle, '--no-bundle', '--config', join(options.cwd, 'wrangler.toml')] : []),
    '--env',
    options.env ?? 'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--env-file',
    envFile,
    '--show-interactive-dev-session=false',
    ...Object.entries(options.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const child: ChildProcess = spawn('npx', args, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', options.stdio ?? 'ignore', options.stdio ?? 'ignore'],
    env: wranglerEnv,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive wrangler for a moment: make sure the group is gone.
    killGroup('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  const onAbort = () => killGroup('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || options.signal?.aborted) {
      const code = child.exitCode;
      await stop();
      throw new Error(
        options.signal?.aborted ? 'aborted' : `wrangler dev exited with code ${code}`,
      );
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer on ${url} within the timeout`);
    }
    await sleep(250);
  }
  options.signal?.removeEventListener('abort', onAbort);
  return { url, pid: child.pid!, stop };
}

/** Bundles the worker once, as `wrangler deploy` would, without deploying it. */
export function buildBundle(
  cwd: string,
  env: string,
  outdir: string,
  processEnv: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['wrangler', 'deploy', '--dry-run', '--env', env, '--outdir', outdir],
      { cwd, env: processEnv, timeout: 120_000 },
      (err, _stdout, stderr) =>
        err
          ? reject(new Error(`wrangler could not bundle the edge: ${stderr.slice(-2000)}`))
          : resolve(join(outdir, 'index.js')),
    );
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
