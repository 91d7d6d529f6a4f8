import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadBackendConfig } from '../../config.ts';
import { createEngine } from '../../engines/registry.ts';
import { DatasetError, loadDataset } from '../../eval/dataset.ts';
import {
  type EvaluationReport,
  engineAligner,
  evaluate,
  formatReport,
  type PredictionsFile,
  predictionsAligner,
} from '../../eval/evaluate.ts';
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
    .option(
      '--predictions <file>',
      "score another aligner's saved output (JSON {engine, items:{[id]:{words, computeSeconds}}}) instead of running an engine",
    )
    .action(
      async (
        dir: string,
        o: { engine?: string; modelDir?: string; json?: boolean; predictions?: string },
      ) => {
        const items = await loadDataset(dir).catch((err: unknown) => {
          throw err instanceof DatasetError ? new CliError(err.message) : err;
        });
        const print = (report: EvaluationReport) =>
          process.stdout.write(
            o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
          );
        if (o.predictions) {
          let predictions: PredictionsFile;
          try {
            predictions = JSON.parse(await readFile(o.predictions, 'utf8')) as PredictionsFile;
          } catch (err) {
            throw new CliError(`cannot read ${o.predictions}: ${(err as Error).message}`);
          }
          print(await evaluate(predictionsAligner(predictions), items));
          return;
        }
        const config = loadBackendConfig(process.env, { engine: o.engine, modelDir: o.modelDir });
        const engine = await createEngine(config.engine, {
          modelDir: config.modelDir,
          device: config.device,
          threads: 1,
          maxBatchSize: 1,
        });
        try {
          let done = 0;
          const report = await evaluate(engineAligner(engine), items, () => {
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
      },
    );
}
