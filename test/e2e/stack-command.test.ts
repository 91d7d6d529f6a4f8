import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../dev/redis-server/index.ts';

const REPO = resolve(import.meta.dirname, '../..');

/** Every live process whose ancestry reaches `root` (read from /proc). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `falign stack` (what `npm start` runs) stopped the way a terminal stops it: Ctrl-C sends
 * SIGINT to the whole foreground process group. Everything it started must go, and in order:
 * the backends drain while Redis is still up, so none of them reports losing Redis.
 */
describe('falign stack and Ctrl-C', () => {
  it('stops every process it started, backends before Redis', async () => {
    const port = await findFreePort();
    // detached: its own process group, like a shell job, so the group signal reaches only it.
    const stack = spawn(process.execPath, ['bin/falign.mjs', 'stack', '--port', String(port)], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FA_LOG_LEVEL: 'info' },
    });
    let output = '';
    stack.stdout!.on('data', (d) => {
      output += d;
    });
    stack.stderr!.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((done) => stack.once('exit', (code) => done(code)));
    let started: number[] = [];
    try {
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`no stack after 200 s:\n${output}`)),
          200_000,
        );
        const check = () => {
          if (output.includes('falign local stack is up')) {
            clearTimeout(timer);
            ready();
          }
        };
        stack.stdout!.on('data', check);
        void exited.then(() => fail(new Error(`falign stack exited:\n${output}`)));
      });
      started = descendants(stack.pid!);
      const names = started.map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        } catch {
          return '';
        }
      });
      expect(names.some((n) => n.includes('redis-server'))).toBe(true);
      expect(names.filter((n) => n.includes('region-process')).length).toBeGreaterThanOrEqual(2);
      expect(names.some((n) => n.includes('workerd'))).toBe(true);

      const before = output.length;
      process.kill(-stack.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      const stopping = output.slice(before);
      expect(stopping).toContain('stopping the stack');
      // The backends hear from the stack (SIGTERM, after the edge, while Redis is up), not
      // from the terminal at the same moment as Redis.
      expect(stopping).not.toContain('SIGINT: finishing');
      expect(stopping.match(/SIGTERM: finishing queued work/g)?.length).toBe(2);
      expect(stopping).not.toMatch(/ECONNREFUSED|Connection is closed/);
      // Nothing it started outlives it (give the kernel a moment to reap).
      const deadline = Date.now() + 5000;
      while (started.some(alive) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(started.filter(alive)).toEqual([]);
    } finally {
      // On a failure, leave nothing behind: the group, and the children in groups of their own.
      // Each may be gone already; that must not hide the assertion that failed.
      const kill = (pid: number) => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      };
      if (stack.exitCode === null) kill(-stack.pid!);
      for (const pid of started.filter(alive)) kill(pid);
    }
  }, 300_000);
});
