import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { startLocalStack, synthesiseExample } from '../../../dev/stack/local-stack.ts';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const EXAMPLE_TEXT = 'Hello world. This is the forced alignment stack, running on one machine.';

/** `falign stack` (= `npm start`): the whole system locally; Ctrl-C stops it. */
export function register(program: Command): void {
  program
    .command('stack')
    .description(
      'run the local stack: redis-server, the Upstash REST dev server, two regional backends and the edge under wrangler dev',
    )
    .addOption(new Option('--port <port>', 'edge port').default('8787'))
    .addOption(new Option('--engine <id>', 'default engine of the backends (dtw | qwen3)'))
    .option('--quiet', "hide the backends' and wrangler's output")
    .action(async (o: { port: string; engine?: string; quiet?: boolean }) => {
      process.stdout.write(
        'starting redis-server, the REST dev server, backends and the edge...\n',
      );
      // Ctrl-C while starting stops whatever was started so far.
      const starting = new AbortController();
      const abortStart = () => starting.abort();
      process.once('SIGINT', abortStart);
      process.once('SIGTERM', abortStart);
      let stack: Awaited<ReturnType<typeof startLocalStack>>;
      try {
        stack = await startLocalStack({
          cwd: REPO_ROOT,
          edgePort: Number(o.port),
          ...(o.engine ? { engine: o.engine } : {}),
          verbose: !o.quiet,
          signal: starting.signal,
        });
      } catch (err) {
        process.stderr.write(`falign stack: ${(err as Error).message}\n`);
        process.exit(1);
      }
      process.removeListener('SIGINT', abortStart);
      process.removeListener('SIGTERM', abortStart);
      const exampleDir = await mkdtemp(join(tmpdir(), 'falign-example-'));
      const wav = await synthesiseExample(EXAMPLE_TEXT, join(exampleDir, 'hello.wav'));
      const lines = [
        '',
        'falign local stack is up',
        `  edge      ${stack.edgeUrl}  (wrangler dev, env dev)`,
        ...stack.regions.map(
          (r) => `  ${r.region.padEnd(9)} ${r.url}  (${r.latitude}, ${r.longitude}), pid ${r.pid}`,
        ),
        `  redis     ${stack.redisUrl}, REST ${stack.restUrl}`,
        `  API key   ${stack.apiKey.key}  (tenant ${stack.apiKey.record.tenant})`,
        '',
        'Try (X-Client-Location places you; 48.86,2.35 is Paris, 40.71,-74.01 New York):',
        `  curl -s ${stack.edgeUrl}/api/align -H 'Authorization: Bearer ${stack.apiKey.key}' \\`,
        `    -H 'Prefer: wait=30' -H 'X-Client-Location: 48.86,2.35' -D - \\`,
        `    -F audio=@${wav ?? '<your.wav>'} -F 'text=${EXAMPLE_TEXT}' -F language=English`,
        '',
        'Ctrl-C stops everything.',
        '',
      ];
      process.stdout.write(lines.join('\n'));
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        process.stdout.write('\nstopping the stack...\n');
        void stack
          .stop()
          .then(() => rm(exampleDir, { recursive: true, force: true }))
          .finally(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
