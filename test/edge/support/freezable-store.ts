import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalGlobalStore } from '../../../dev/upstash-rest/global-store.ts';

/** A global store the edge tests can freeze: its own redis-server behind its own REST server. */
export interface FreezableStore {
  /** REST URL for `UPSTASH_REDIS_REST_URL`. */
  restUrl: string;
  /**
   * `POST <controlUrl>/freeze` stops the redis-server (SIGSTOP), `POST .../thaw` resumes it;
   * `POST .../freeze?ms=N` resumes it by itself after N ms.
   */
  controlUrl: string;
  close(): Promise<void>;
}

/**
 * A real redis-server behind the dev REST server, with a small control endpoint on loopback so
 * tests running inside workerd (which cannot signal processes) can freeze it: connections stay
 * open and nothing answers, as with a stalled store.
 */
export async function startFreezableStore(token: string): Promise<FreezableStore> {
  const store = await startLocalGlobalStore({ token });
  let frozen = false;
  const signal = (freeze: boolean) => {
    if (frozen === freeze) return;
    process.kill(store.redis.pid, freeze ? 'SIGSTOP' : 'SIGCONT');
    frozen = freeze;
  };
  let thawTimer: ReturnType<typeof setTimeout> | undefined;
  const control = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const action = req.method === 'POST' ? url.pathname : null;
    if (action === '/freeze' || action === '/thaw') {
      clearTimeout(thawTimer);
      signal(action === '/freeze');
      const ms = Number(url.searchParams.get('ms'));
      if (action === '/freeze' && ms > 0) thawTimer = setTimeout(() => signal(false), ms);
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  return {
    restUrl: store.restUrl,
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    close: async () => {
      clearTimeout(thawTimer);
      signal(false);
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await store.stop();
    },
  };
}
