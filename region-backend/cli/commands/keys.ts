import { type Command, InvalidArgumentError } from 'commander';
import { loadBackendConfig } from '../../config.ts';
import { ApiKeyService } from '../../keys/api-key-service.ts';
import { openKeyStore } from '../../keys/open-key-store.ts';
import { CliError } from '../cli-error.ts';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
};

function service(opts: { keysFile?: string }): { keys: ApiKeyService; where: string } {
  const config = loadBackendConfig(process.env, { keysFile: opts.keysFile });
  const { store, where } = openKeyStore(config);
  return { keys: new ApiKeyService(store), where };
}

/** `falign keys create|list|revoke`: API keys, stored only as SHA-256. */
export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      'manage API keys (global store when UPSTASH_REDIS_REST_URL is set, else the local key file)',
    );

  keys
    .command('create')
    .description('create a key; it is printed once and never stored')
    .requiredOption('--tenant <tenant>', 'tenant the key belongs to')
    .option('--name <name>', 'label', '')
    .option('--requests <n>', 'requests allowed per window', positiveInt, 60)
    .option('--window <seconds>', 'rate-limit window in seconds', positiveInt, 60)
    .option('--keys-file <path>', 'local key file (default: $FA_KEYS_FILE or .data/api-keys.json)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const { keys: svc, where } = service(o);
      const { key, record } = await svc.create({
        tenant: o.tenant,
        name: o.name,
        requests: o.requests,
        windowSeconds: o.window,
      });
      if (o.json) process.stdout.write(`${JSON.stringify({ key, ...record })}\n`);
      else {
        process.stdout.write(`${key}\n`);
        process.stderr.write(
          `created ${record.id} for tenant ${record.tenant} in ${where}; the key is shown only once\n`,
        );
      }
    });

  keys
    .command('list')
    .description('list keys (ids, tenants, limits; never the keys)')
    .option('--keys-file <path>', 'local key file')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const records = await service(o).keys.list();
      if (o.json) return void process.stdout.write(`${JSON.stringify(records)}\n`);
      for (const r of records) {
        process.stdout.write(
          `${r.id}\t${r.tenant}\t${r.rate_limit.requests}/${r.rate_limit.window_seconds}s\t${r.revoked_at ? `revoked ${r.revoked_at}` : 'active'}\t${r.name}\n`,
        );
      }
    });

  keys
    .command('revoke <id>')
    .description('revoke a key by its id (key_...)')
    .option('--keys-file <path>', 'local key file')
    .action(async (id: string, o) => {
      const record = await service(o).keys.revoke(id);
      if (!record) throw new CliError(`no key with id ${id}`);
      process.stderr.write(`revoked ${record.id} (tenant ${record.tenant})\n`);
    });
}
