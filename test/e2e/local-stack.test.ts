import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../dev/redis-server/index.ts';
import { type LocalStack, startLocalStack } from '../../dev/stack/local-stack.ts';
import type { AlignmentResult } from '../../shared/alignment.ts';
import { BEACON_INDEX_KEY } from '../../shared/beacon.ts';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';

const run = promisify(execFile);
const PARIS = '48.86,2.35';
const NEW_YORK = '40.71,-74.01';
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Forced alignment finds when every word is spoken.',
  'Subtitles need word timings that match the speech.',
  'A second region answers when the first one fails.',
];

/**
 * The whole local stack as `npm start` runs it: real redis-server, the REST dev server, two
 * backend processes on the default engine publishing beacons, the edge under wrangler dev.
 */
describe('local stack end to end', () => {
  let stack: LocalStack;
  let dir: string;
  const audio: Uint8Array[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'falign-e2e-'));
    for (const [i, text] of SENTENCES.entries()) {
      const path = join(dir, `s${i}.wav`);
      await run('espeak-ng', ['-v', 'en-us', '-w', path, text]);
      audio.push(new Uint8Array(await readFile(path)));
    }
    stack = await startLocalStack({
      cwd: resolve(import.meta.dirname, '../..'),
      edgePort: await findFreePort(),
      frozenEdge: true,
    });
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const form = (i: number, text = SENTENCES[i]!) => {
    const f = new FormData();
    f.set('audio', new File([audio[i] as Uint8Array<ArrayBuffer>], `s${i}.wav`));
    f.set('text', text);
    f.set('language', 'English');
    return f;
  };
  const align = (
    i: number,
    headers: Record<string, string>,
    opts: { text?: string; base?: string } = {},
  ) =>
    fetch(`${opts.base ?? stack.edgeUrl}/api/align`, {
      method: 'POST',
      headers: { prefer: 'wait=60', ...headers },
      body: form(i, opts.text),
    });
  const auth = () => ({ authorization: `Bearer ${stack.apiKey.key}` });

  it('refuses no key, a bad key and a revoked key with 401 problem+json', async () => {
    const revoked = await stack.keys.create({ tenant: 'e2e-revoked' });
    await stack.keys.revoke(revoked.record.id);
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer fa_${'b'.repeat(43)}` },
      { 'x-api-key': revoked.key },
    ];
    for (const headers of cases) {
      const res = await align(0, headers);
      expect(
        res.status,
        `${JSON.stringify(Object.keys(headers))}: ${await res.clone().text()}`,
      ).toBe(401);
      expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      expect(((await res.json()) as { request_id: string }).request_id).toBe(
        res.headers.get('x-request-id'),
      );
    }
  });

  it('serves real word timings from the nearest region for two client locations', async () => {
    const paris = await align(0, { ...auth(), 'x-client-location': PARIS });
    expect(paris.status).toBe(200);
    expect(paris.headers.get('x-region')).toBe('eu-west');
    const result = (await paris.json()) as AlignmentResult;
    expect(result.words.map((w) => w.text)).toEqual(SENTENCES[0]!.replace(/[.]/g, '').split(' '));
    for (const w of result.words) expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(result.words.at(-1)!.end).toBeLessThanOrEqual(result.duration);

    const ny = await align(1, { ...auth(), 'x-client-location': NEW_YORK });
    expect(ny.status).toBe(200);
    expect(ny.headers.get('x-region')).toBe('us-east');
    expect(((await ny.json()) as AlignmentResult).words).toHaveLength(8);
  });

  it('answers a repeated request from the edge cache with X-Cache: HIT', async () => {
    const first = await align(2, { ...auth(), 'x-client-location': NEW_YORK });
    expect(first.status).toBe(200);
    const miss = (await first.json()) as AlignmentResult;
    // The edge reads the global cache while it forwards; a region that answers first (from the
    // same cache) wins that race, but the read still fills the isolate's cache, so the next
    // request is answered at the edge without any race.
    let again = await align(2, { ...auth(), 'x-client-location': PARIS });
    for (let retry = 0; retry < 2 && again.headers.get('x-region') !== null; retry++) {
      await again.arrayBuffer();
      await new Promise((r) => setTimeout(r, 200));
      again = await align(2, { ...auth(), 'x-client-location': PARIS });
    }
    expect(again.status).toBe(200);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.headers.get('x-region')).toBeNull();
    const hit = (await again.json()) as AlignmentResult;
    expect(hit.cached).toBe(true);
    expect(hit.words).toEqual(miss.words);
  });

  it('rate-limits a tenant with 429, Retry-After and RateLimit headers', async () => {
    const limited = await stack.keys.create({
      tenant: 'e2e-limited',
      requests: 2,
      windowSeconds: 60,
    });
    const headers = { authorization: `Bearer ${limited.key}` };
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 3; i++) {
      last = await fetch(`${stack.edgeUrl}/api/tasks/task_none/status`, { headers });
      statuses.push(last.status);
      if (i < 2) await last.body?.cancel();
    }
    expect(statuses[2]).toBe(429);
    expect(statuses.slice(0, 2)).not.toContain(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last!.headers.get('ratelimit-limit')).toBe('2');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(last!.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  });

  it('keeps the regional direct endpoints behind API keys too', async () => {
    const region = stack.regions[0]!;
    const anonymous = await align(3, {}, { base: region.url });
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
    const keyed = await align(3, auth(), { base: region.url, text: 'A second region answers.' });
    expect(keyed.status).toBe(200);
    await keyed.body?.cancel();
  });

  it('steers traffic away from a region whose beacon reports it unhealthy', async () => {
    const euWest = stack.regions.find((r) => r.region === 'eu-west')!;
    euWest.signal('SIGUSR2'); // drain: its beacon now says unhealthy
    let n = 0;
    await expect
      .poll(
        async () => {
          const res = await align(
            1,
            { ...auth(), 'x-client-location': PARIS },
            {
              text: `${SENTENCES[1]} drained ${n++}`,
            },
          );
          await res.body?.cancel();
          return res.headers.get('x-region');
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe('us-east');
    euWest.signal('SIGUSR2'); // serving again
    await expect
      .poll(
        async () => {
          const res = await align(
            1,
            { ...auth(), 'x-client-location': PARIS },
            {
              text: `${SENTENCES[1]} back ${n++}`,
            },
          );
          await res.body?.cancel();
          return res.headers.get('x-region');
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe('eu-west');
  });

  it('answers every request when a region is killed mid-run', async () => {
    const euWest = stack.regions.find((r) => r.region === 'eu-west')!;
    const requests = Array.from({ length: 6 }, (_, i) => i);
    const results: Array<{ status: number; region: string | null }> = [];
    const send = async (i: number) => {
      const res = await align(
        i % 4,
        { ...auth(), 'x-client-location': PARIS },
        {
          text: `${SENTENCES[i % 4]} run ${i}`,
        },
      );
      await res.body?.cancel();
      results.push({ status: res.status, region: res.headers.get('x-region') });
    };
    // Two in flight at a time; the nearest region dies after the first pair was sent.
    await Promise.all([send(0), send(1)]);
    const killed = Promise.all([send(2), send(3)]);
    euWest.signal('SIGKILL');
    await killed;
    await euWest.exited;
    await Promise.all([send(4), send(5)]);
    expect(results).toHaveLength(requests.length);
    expect(results.map((r) => r.status)).toEqual(requests.map(() => 200));
    expect(results.slice(2).every((r) => r.region === 'us-east')).toBe(true);
    // Its beacon is still listed until it expires: the edge fails over, it does not wait.
    expect(await stack.redis.smembers(BEACON_INDEX_KEY)).toContain('eu-west');
  });
});
