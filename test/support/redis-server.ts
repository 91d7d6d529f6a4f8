/**
 * Tests start their own real `redis-server` on a free port (DESIGN §6). The launcher lives in
 * dev/ because `falign stack` uses it too.
 */
export {
  findFreePort,
  type RedisServerHandle,
  type StartRedisServerOptions,
  startRedisServer,
} from '../../dev/redis-server/index.ts';
