import type { Command } from 'commander';

/** `falign stack`. */
export function register(_program: Command): void {}
