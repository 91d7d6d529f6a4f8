// Prints the README's configuration table: node bin/run-ts.mjs scripts/config-table.ts
import { configTableMarkdown } from '../region-backend/config-docs.ts';

process.stdout.write(`${configTableMarkdown()}\n`);
