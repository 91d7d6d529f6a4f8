/**
 * One regional backend of the local stack, as its own process: exactly `falign serve`
 * (beacon, SIGUSR2 draining and graceful stop included), configured by FA_* / UPSTASH_*
 * variables (see region-backend/config.ts).
 *
 *   node bin/run-ts.mjs dev/stack/region-process.ts
 */
import { main } from '../../region-backend/cli/main.ts';

await main([process.argv[0]!, 'falign', 'serve']);
