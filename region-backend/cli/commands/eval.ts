import type { Command } from 'commander';
import { loadBackendConfig } from '../../config.ts';
import { createEngine } from '../../engines/registry.ts';
import { DatasetError, loadDataset } from '../../eval/dataset.ts';
import { evaluate, formatReport } from '../../eval/evaluate.ts';
import { CliError } from '../cli-error.ts';

/** `falign eval <dataset-dir>`: aligns a dataset and prints accuracy per language and source. */
export function register(program: Command): void {
  program
    .command('eval <dataset-dir>')
    .description(
      'align every item of a dataset (audio + JSON {text, language, words}) and print boundary errors per language and source',
    )
    .option('--engine <engine>', 'engine id (default: $FA_ENGINE or dtw)')
    .option('--model-dir <dir>', 'model directory (qwen3)')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, o: { engine?: string; modelDir?: string; json?: boolean }) => {
      const items = await loadDataset(dir).catch((err: unknown) => {
        throw err instanceof DatasetError ? new CliError(err.message) : err;
      });
      const config = loadBackendConfig(process.env, { engine: o.engine, modelDir: o.modelDir });
      const engine = await createEngine(config.engine, {
        modelDir: config.modelDir,
        device: config.device,
        threads: 1,
        maxBatchSize: 1,
      });
      try {
        let done = 0;
        const report = await evaluate(engine, items, () => {
          done++;
          if (process.stderr.isTTY) process.stderr.write(`\r${done}/${items.length}`);
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        process.stdout.write(
          o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
        );
      } finally {
        await engine.close();
      }
    });
}
