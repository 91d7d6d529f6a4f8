import { Redis } from 'ioredis';

/**
 * The stack's redis-server by its pid (as Redis itself reports it: INFO server process_id),
 * frozen with SIGSTOP and resumed with SIGCONT, as test/support's RedisServerHandle.pause()
 * does: connections stay open, nothing answers, as with a stalled host.
 */
export async function redisPid(redisUrl: string): Promise<number> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const info = await client.info('server');
    const m = /process_id:(\d+)/.exec(info);
    if (!m) throw new Error('INFO server has no process_id');
    return Number(m[1]);
  } finally {
    client.disconnect();
  }
}

export async function pauseRedis(pid: number, ms: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
