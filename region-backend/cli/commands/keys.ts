import type { Command } from 'commander';

/** `falign keys`. */
export function register(_program: Command): void {}
