import type { Command } from 'commander';

/** `falign dataset`. */
export function register(_program: Command): void {}
