import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findFreePort } from '../../support/redis-server.ts';

/**
 * A real `redis-server` that can be stopped and started again on the same port and data
 * directory, with an append-only file synced on every write: what a regional Redis with
 * persistence does across a restart.
 */
export class RestartableRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<RestartableRedis> {
    const r = new RestartableRedis(
      await findFreePort(),
      await mkdtemp(join(tmpdir(), 'falign-regional-redis-')),
    );
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and resolves once it answers PING. */
  async up(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => {});
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .then((p) => p === 'PONG')
        .catch(() => false);
      probe.disconnect();
      if (ok) return;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${this.port}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server (SIGTERM: it flushes the append-only file) and waits for it to exit. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.down();
    await rm(this.dir, { recursive: true, force: true });
  }
}
