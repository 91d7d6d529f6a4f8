import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The webhook signing key: FA_WEBHOOK_SECRET, or on a machine without one a random key kept in
 * `<data dir>/webhook-secret` (mode 0600), so signatures stay valid across restarts.
 */
export async function loadWebhookSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<string> {
  if (configured) return configured;
  const path = join(dataDir, 'webhook-secret');
  try {
    const s = (await readFile(path, 'utf8')).trim();
    if (s) return s;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('hex');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err) => {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  return (await readFile(path, 'utf8')).trim();
}
