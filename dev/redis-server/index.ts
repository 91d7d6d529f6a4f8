import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real `redis-server` child process (tests, `falign stack`). */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The child's pid (for tests that want to signal it themselves). */
  pid: number;
  /** Stops the server and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP) for `ms`, then resumes it (SIGCONT): connections stay open
   * but nothing answers, as with a stalled host. Resolves once the server runs again.
   */
  pause(ms: number): Promise<void>;
}

export interface StartRedisServerOptions {
  /** Turn on RDB snapshots (`--save 60 1`) and AOF; off by default. */
  persistence?: boolean;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '64mb']`. */
  args?: string[];
  /** Milliseconds to wait for the first PONG. */
  startTimeoutMs?: number;
  /**
   * Run it in its own process group, so a terminal's Ctrl-C (sent to the whole foreground
   * group) reaches only its parent, which stops it after whatever still uses it.
   */
  ownProcessGroup?: boolean;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends a raw RESP PING and resolves true on `+PONG`. */
function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Children still running; killed if this process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Spawns a real `redis-server` on a free port in a fresh temp dir (no persistence unless
 * asked) and resolves once it answers PING. Retries on another port if the chosen one was
 * taken between probing and binding.
 */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<RedisServerHandle> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(options: StartRedisServerOptions): Promise<RedisServerHandle> {
  const port = await findFreePort();
  const dir = await mkdtemp(join(tmpdir(), 'falign-redis-'));
  const persistence = options.persistence
    ? ['--save', '60 1', '--appendonly', 'yes']
    : ['--save', '', '--appendonly', 'no'];
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
      ...persistence,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: options.ownProcessGroup ?? false },
  );
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      running.delete(child);
      resolve(c);
    }),
  );
  let spawnError: Error | null = null;
  child.once('error', (e) => {
    spawnError = e;
  });

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (!(await ping(port))) {
    if (spawnError) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `cannot run redis-server (${(spawnError as Error).message}); install it: apt-get install redis-server`,
      );
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await cleanup();
      throw new Error(`redis-server did not start on port ${port}: ${stderr.trim()}`);
    }
    await sleep(20);
  }

  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    async stop() {
      if (stopped) return;
      stopped = true;
      await cleanup();
    },
    async pause(ms: number) {
      child.kill('SIGSTOP');
      await sleep(ms);
      if (child.exitCode === null) child.kill('SIGCONT');
    },
  };
}
