import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { buildGraphs, defaultGraphDir } from '../../engines/qwen3/graph-build.ts';
import { HubDownloadError, pullModel } from '../../engines/qwen3/hub-download.ts';
import { ModelConfigError } from '../../engines/qwen3/model-config.ts';
import { assertModelDir, DEFAULT_REPO, ModelDirError } from '../../engines/qwen3/model-files.ts';
import { writeSyntheticCheckpoint } from '../../engines/qwen3/synthetic-checkpoint.ts';
import { CliError } from '../cli-error.ts';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** A progress bar on a terminal, a line per 10% otherwise (logs stay readable). */
function progressPrinter(): (file: string, done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let lastFile = '';
  let lastStep = -1;
  return (file, done, total) => {
    const frac = total > 0 ? done / total : 1;
    if (tty) {
      const width = 30;
      const fill = Math.round(frac * width);
      process.stderr.write(
        `\r${file.padEnd(26)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${mib(done)} / ${mib(total)}`,
      );
      if (done >= total) process.stderr.write('\n');
      return;
    }
    const step = Math.floor(frac * 10);
    if (file !== lastFile || step !== lastStep) {
      process.stderr.write(`${file}: ${Math.round(frac * 100)}% of ${mib(total)}\n`);
      lastFile = file;
      lastStep = step;
    }
  };
}

/** Known failures become one-line CLI errors. */
function asCliError(err: unknown): never {
  if (
    err instanceof HubDownloadError ||
    err instanceof ModelDirError ||
    err instanceof ModelConfigError
  ) {
    throw new CliError(err.message);
  }
  throw err;
}

/** `falign model pull|build|synth`: get, build and fake the qwen3 model. */
export function register(program: Command): void {
  const model = program
    .command('model')
    .description('get the qwen3 model, build its ONNX graphs, or synthesise one');

  model
    .command('pull')
    .description(
      'download the model files from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN); resumable, verified',
    )
    .option('--repo <repo>', 'Hub repository', DEFAULT_REPO)
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--dir <dir>', 'target directory', 'models/qwen3-forced-aligner-0.6b')
    .action(async (o: { repo: string; revision: string; dir: string }) => {
      const dir = resolve(o.dir);
      const manifest = await pullModel({
        repo: o.repo,
        revision: o.revision,
        dir,
        onProgress: progressPrinter(),
      }).catch(asCliError);
      process.stderr.write(
        `pulled ${o.repo}@${manifest.commit ?? manifest.revision} into ${dir}; next: falign model build --model-dir ${dir}\n`,
      );
    });

  model
    .command('build')
    .description('build the ONNX graphs from config.json + model.safetensors (no Python)')
    .requiredOption('--model-dir <dir>', 'model directory')
    .option(
      '--out-dir <dir>',
      'where the graphs go (default <model-dir>/onnx, where the engine looks)',
    )
    .option(
      '--dtype <dtype>',
      'weight storage: fp32 | fp16 (compute is fp32 either way)',
      (v) => {
        if (v !== 'fp32' && v !== 'fp16') throw new InvalidArgumentError('fp32 or fp16');
        return v;
      },
      'fp32',
    )
    .action(async (o: { modelDir: string; outDir?: string; dtype: 'fp32' | 'fp16' }) => {
      const modelDir = (() => {
        try {
          return assertModelDir(o.modelDir);
        } catch (err) {
          return asCliError(err);
        }
      })();
      const outDir = resolve(o.outDir ?? defaultGraphDir(modelDir));
      const m = await buildGraphs({ modelDir, outDir, dtype: o.dtype }).catch(asCliError);
      process.stderr.write(`built ${outDir} (${m.dtype}) in ${(m.buildMs / 1000).toFixed(1)} s\n`);
    });

  model
    .command('synth')
    .description('write a checkpoint with the real shapes and random weights (for benchmarks only)')
    .requiredOption('--config <file>', 'a Qwen3-ForcedAligner config.json')
    .requiredOption('--dir <dir>', 'target directory')
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 1)
    .action((o: { config: string; dir: string; seed: number }) => {
      const started = performance.now();
      let r: { bytes: number; tensors: number };
      try {
        r = writeSyntheticCheckpoint(resolve(o.config), resolve(o.dir), o.seed);
      } catch (err) {
        if (err instanceof SyntaxError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new CliError(`${o.config}: ${(err as Error).message}`);
        }
        asCliError(err);
      }
      process.stderr.write(
        `wrote ${r.tensors} tensors (${mib(r.bytes)}) to ${resolve(o.dir)} in ${((performance.now() - started) / 1000).toFixed(1)} s; random weights: timings are meaningless\n`,
      );
    });
}
