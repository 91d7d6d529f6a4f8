import type { Command } from 'commander';

/** `falign align`. */
export function register(_program: Command): void {}
