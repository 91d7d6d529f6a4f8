import type { Command } from 'commander';
import * as align from './align.ts';
import * as dataset from './dataset.ts';
import * as evaluate from './eval.ts';
import * as keys from './keys.ts';
import * as model from './model.ts';
import * as serve from './serve.ts';
import * as stack from './stack.ts';

/** Every `falign` sub-command, one module each exporting `register(program)`. */
export function registerCommands(program: Command): void {
  for (const m of [serve, align, keys, model, evaluate, dataset, stack]) m.register(program);
}
