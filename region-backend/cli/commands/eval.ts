import type { Command } from 'commander';

/** `falign eval`. */
export function register(_program: Command): void {}
