import type { Command } from 'commander';
import { buildDataset, DATASET_SOURCES, type DatasetSource } from '../../eval/build-dataset.ts';
import { CliError } from '../cli-error.ts';

/** `falign dataset build <dir>`: an evaluation set from speech sources on this machine. */
export function register(program: Command): void {
  const dataset = program.command('dataset').description('evaluation datasets');
  dataset
    .command('build <dir>')
    .description(
      'build an evaluation set (audio + JSON with word times) from flite, espeak-ng and recorded words installed on this machine',
    )
    .option(
      '--sources <list>',
      `comma-separated: ${DATASET_SOURCES.join(',')}`,
      DATASET_SOURCES.join(','),
    )
    .option('--long-seconds <n>', 'length of the long (drift) clip in seconds', '300')
    .action(async (dir: string, o: { sources: string; longSeconds: string }) => {
      const sources = o.sources
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = sources.filter((s) => !(DATASET_SOURCES as readonly string[]).includes(s));
      if (unknown.length)
        throw new CliError(
          `unknown source(s) ${unknown.join(', ')}; known: ${DATASET_SOURCES.join(', ')}`,
        );
      const longSeconds = Number(o.longSeconds);
      if (!(longSeconds > 0)) throw new CliError('--long-seconds must be a positive number');
      const count = await buildDataset(dir, {
        sources: sources as DatasetSource[],
        longSeconds,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stderr.write(`wrote ${count} items to ${dir}\n`);
    });
}
