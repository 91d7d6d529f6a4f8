import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type AlignmentResult, buildWords } from '../../../shared/alignment.ts';
import { renderAlignment } from '../../../shared/formats/index.ts';
import { describeSupportedLanguages, parseLanguage } from '../../../shared/languages.ts';
import { ProblemError } from '../../../shared/problem.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../../../shared/schemas.ts';
import { unitsFor } from '../../../shared/segmenters.ts';
import { decodeAudio } from '../../audio/decode.ts';
import { loadBackendConfig } from '../../config.ts';
import { isRawAligner } from '../../engines/engine.ts';
import { createEngine } from '../../engines/registry.ts';
import { CliError } from '../cli-error.ts';

/** `falign align`: one file, in-process, no server; the result on stdout. */
export function register(program: Command): void {
  program
    .command('align <audio>')
    .description('align a transcript to an audio file in-process and print the result')
    .option('--text <text>', 'the transcript')
    .option('--text-file <file>', 'read the transcript from a UTF-8 file')
    .requiredOption('--lang <language>', 'language name or ISO code (English, en, zh, yue, ...)')
    .option('--engine <engine>', 'engine id (default: $FA_ENGINE or dtw)')
    .option('--model-dir <dir>', 'model directory (qwen3)')
    .option('--format <format>', `output format: ${OUTPUT_FORMATS.join('|')}`, 'json')
    .option(
      '--raw',
      "print the engine's own units and times as the official align() returns them (qwen3)",
    )
    .action(async (audioPath: string, o) => {
      if ((o.text === undefined) === (o.textFile === undefined)) {
        throw new CliError('give exactly one of --text and --text-file');
      }
      const text: string = o.text ?? (await readFile(o.textFile, 'utf8'));
      const language = parseLanguage(o.lang);
      if (!language)
        throw new CliError(
          `unknown language '${o.lang}'; supported: ${describeSupportedLanguages()}`,
        );
      const format = String(o.format).toLowerCase() as OutputFormat;
      if (!OUTPUT_FORMATS.includes(format))
        throw new CliError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
      const config = loadBackendConfig(process.env, { engine: o.engine, modelDir: o.modelDir });

      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(audioPath));
      } catch (err) {
        throw new CliError(`cannot read ${audioPath}: ${(err as Error).message}`);
      }
      const engine = await createEngine(config.engine, {
        modelDir: config.modelDir,
        device: config.device,
        threads: config.threads,
        maxBatchSize: 1,
      });
      try {
        const audio = await decodeAudio(bytes, {
          maxSeconds: config.maxAudioSeconds,
          minSeconds: config.minAudioSeconds,
        }).catch((err: unknown) => {
          throw err instanceof ProblemError ? new CliError(`${audioPath}: ${err.message}`) : err;
        });
        if (o.raw) {
          if (!isRawAligner(engine))
            throw new CliError(`--raw is not available for the ${engine.info.name} engine`);
          const raw = await engine.alignRaw(audio.samples, text, language);
          process.stdout.write(`${JSON.stringify(raw)}\n`);
          return;
        }
        const units = unitsFor(text, language);
        if (units.length === 0) throw new CliError('the transcript contains no words to align');
        const started = performance.now();
        const [timings] = await engine.alignBatch([
          { samples: audio.samples, language, text, units },
        ]);
        const result: AlignmentResult = {
          task_id: `task_${randomUUID()}`,
          language,
          duration: Math.round(audio.duration * 1000) / 1000,
          engine: engine.info,
          words: buildWords(text, units, timings!, audio.duration),
          cached: false,
          timing: { queue_ms: 0, compute_ms: Math.round(performance.now() - started) },
        };
        const out =
          format === 'json'
            ? { body: `${JSON.stringify(result, null, 2)}\n` }
            : renderAlignment(result, text, format);
        process.stdout.write(out.body);
      } finally {
        await engine.close();
      }
    });
}
