import type { Command } from 'commander';

/** `falign serve`. */
export function register(_program: Command): void {}
