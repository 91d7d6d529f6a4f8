#!/usr/bin/env node
// The `falign` CLI. Sources are TypeScript run through tsx's loader, so there is no build step
// that could go stale; worker threads register the same loader themselves (see bin/run-ts.mjs).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../region-backend/cli/main.ts');
await main(process.argv);
