import type { Command } from 'commander';

/**
 * Every `falign` sub-command, one module each. A module exports `register(program)`.
 * Add new commands here.
 */
export function registerCommands(_program: Command): void {}
