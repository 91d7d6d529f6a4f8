import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.ts';

describe('startRedisServer', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs a real redis-server without persistence', async () => {
    const redis = new Redis(server.url);
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      await redis.set('k', 'v');
      expect(await redis.get('k')).toBe('v');
    } finally {
      redis.disconnect();
    }
  });

  it('pause() stalls the server and then resumes it', async () => {
    const redis = new Redis(server.url, { commandTimeout: 100, maxRetriesPerRequest: 0 });
    redis.on('error', () => {}); // the timeout is the point of this test
    try {
      const paused = server.pause(400);
      await expect(redis.ping()).rejects.toThrow(/timed out/i);
      await paused;
      const again = new Redis(server.url);
      expect(await again.ping()).toBe('PONG');
      again.disconnect();
    } finally {
      redis.disconnect();
    }
  });

  it('stop() ends the process and frees the port', async () => {
    const other = await startRedisServer();
    await other.stop();
    expect(() => process.kill(other.pid, 0)).toThrow();
    await other.stop();
  });
});
