import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { EngineSetupError } from '../engines/engine.ts';
import { CliError } from './cli-error.ts';
import { registerCommands } from './commands/index.ts';

/** Builds the `falign` program; each command lives in its own module under ./commands. */
export function buildProgram(): Command {
  const program = new Command('falign')
    .description('Forced alignment: word timings for speech audio and its transcript')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof ConfigError || err instanceof CliError || err instanceof EngineSetupError) {
      process.stderr.write(`falign: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `falign: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  }
}
