import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../dev/stack/local-stack.ts';

export const REPO_ROOT = join(import.meta.dirname, '../..');
const EDGE_PORT = 8787;

/** Whether 127.0.0.1:`port` is free to listen on. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Starts `falign stack` (redis-server, REST dev server, us-east and eu-west backends, the edge
 * under wrangler dev) for a benchmark, on 127.0.0.1:8787 unless that port is taken (then on
 * 8788-8799). Stopping it on SIGINT/SIGTERM too, so Ctrl-C leaves no process behind.
 */
export async function startStackForLoad(
  options: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  let port = options.edgePort ?? EDGE_PORT;
  while (!(await portFree(port))) {
    if (port >= EDGE_PORT + 12) throw new Error('no free edge port in 8787-8799');
    port++;
  }
  process.stdout.write(`starting the local stack (edge on 127.0.0.1:${port})...\n`);
  const stack = await startLocalStack({
    cwd: REPO_ROOT,
    edgePort: port,
    verbose: false,
    ...options,
  });
  const onSignal = () => {
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    ...stack,
    stop: async () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await stack.stop();
    },
  };
}
