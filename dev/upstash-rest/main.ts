/**
 * The Upstash-REST-compatible dev server as its own process (benchmarks run it apart from the
 * load generator, as Upstash is apart from its clients):
 *
 *   node bin/run-ts.mjs dev/upstash-rest/main.ts --redis-url redis://127.0.0.1:6379 --token T [--port 8079]
 *
 * Prints `listening <url>` once ready; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startUpstashRestServer } from './index.ts';

const { values } = parseArgs({
  options: {
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    token: { type: 'string', default: process.env.UPSTASH_REDIS_REST_TOKEN },
    port: { type: 'string', default: '8079' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!values.token) {
  process.stderr.write('a token is required: --token or UPSTASH_REDIS_REST_TOKEN\n');
  process.exit(2);
}
const server = await startUpstashRestServer({
  redisUrl: values['redis-url']!,
  token: values.token,
  port: Number(values.port),
  host: values.host!,
});
process.stdout.write(`listening ${server.url}\n`);
const stop = () => void server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
