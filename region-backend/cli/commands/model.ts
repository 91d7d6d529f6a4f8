import type { Command } from 'commander';

/** `falign model`. */
export function register(_program: Command): void {}
