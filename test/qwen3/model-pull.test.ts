import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { HubDownloadError, pullModel } from '../../region-backend/engines/qwen3/hub-download.ts';
import { readPullManifest } from '../../region-backend/engines/qwen3/model-files.ts';
import { checkpointDir, repoRoot, tempDir } from './fixture.ts';
import { startLocalHub } from './local-hub.ts';

const run = promisify(execFile);
const tmp = tempDir('falign-qwen3-pull-');
afterAll(tmp.cleanup);
const REPO = 'Qwen/Qwen3-ForcedAligner-0.6B';
const same = (dir: string, f: string) =>
  readFileSync(join(dir, f)).equals(readFileSync(join(checkpointDir, f)));

describe('falign model pull against a local Hub', () => {
  it('downloads every file, verified, and records repo and commit', async () => {
    const hub = await startLocalHub({ repo: REPO, dir: checkpointDir });
    try {
      const dir = join(tmp.dir, 'cli');
      const { stderr } = await run(
        process.execPath,
        [join(repoRoot, 'bin/falign.mjs'), 'model', 'pull', '--dir', dir],
        {
          env: { ...process.env, HF_ENDPOINT: hub.url, HF_TOKEN: '' },
          timeout: 60_000,
        },
      );
      expect(stderr).toContain('pulled Qwen/Qwen3-ForcedAligner-0.6B@');
      for (const f of [
        'config.json',
        'model.safetensors',
        'tokenizer.json',
        'vocab.json',
        'merges.txt',
      ]) {
        expect(same(dir, f)).toBe(true);
      }
      const manifest = readPullManifest(dir)!;
      expect(manifest.repo).toBe(REPO);
      expect(manifest.commit).toBe('a'.repeat(40));
      // LFS files came from the CDN path after a redirect; files were pinned to the commit.
      expect(hub.requests.some((r) => r.path.startsWith('/cdn/'))).toBe(true);
      expect(
        hub.requests
          .filter((r) => r.path.includes('/resolve/'))
          .every((r) => r.path.includes('a'.repeat(40))),
      ).toBe(true);
    } finally {
      await hub.close();
    }
  });

  it('resumes an interrupted download with a Range request', async () => {
    const hub = await startLocalHub({
      repo: REPO,
      dir: checkpointDir,
      truncate: { file: 'model.safetensors', bytes: 1 << 20 },
    });
    try {
      const dir = join(tmp.dir, 'resume');
      await expect(pullModel({ dir, endpoint: hub.url, token: undefined })).rejects.toBeInstanceOf(
        Error,
      );
      expect(existsSync(join(dir, 'model.safetensors.incomplete'))).toBe(true);
      await pullModel({ dir, endpoint: hub.url, token: undefined });
      expect(same(dir, 'model.safetensors')).toBe(true);
      expect(
        hub.requests.some((r) => r.path.startsWith('/cdn/') && r.range && r.range !== 'bytes=0-'),
      ).toBe(true);
    } finally {
      await hub.close();
    }
  });

  it('refuses a corrupt file and removes it', async () => {
    const hub = await startLocalHub({
      repo: REPO,
      dir: checkpointDir,
      corrupt: 'model.safetensors',
    });
    try {
      const dir = join(tmp.dir, 'corrupt');
      const err = await pullModel({ dir, endpoint: hub.url, token: undefined }).catch((e) => e);
      expect(err).toBeInstanceOf(HubDownloadError);
      expect(err.message).toMatch(/checksum mismatch/);
      expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
    } finally {
      await hub.close();
    }
  });

  it('sends HF_TOKEN to the Hub only, and says so when it is missing', async () => {
    const hub = await startLocalHub({ repo: REPO, dir: checkpointDir, token: 'hf_local_test' });
    try {
      const err = await pullModel({
        dir: join(tmp.dir, 'noauth'),
        endpoint: hub.url,
        token: undefined,
      }).catch((e) => e);
      expect(err.message).toMatch(/set HF_TOKEN/);
      await pullModel({ dir: join(tmp.dir, 'auth'), endpoint: hub.url, token: 'hf_local_test' });
      const cdn = hub.requests.filter((r) => r.path.startsWith('/cdn/'));
      expect(cdn.length).toBeGreaterThan(0);
      expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
    } finally {
      await hub.close();
    }
  });

  it('fails with a clear message when the Hub cannot be reached', async () => {
    const hub = await startLocalHub({ repo: REPO, dir: checkpointDir });
    const url = hub.url;
    await hub.close();
    const err = await run(
      process.execPath,
      [join(repoRoot, 'bin/falign.mjs'), 'model', 'pull', '--dir', join(tmp.dir, 'off')],
      {
        env: { ...process.env, HF_ENDPOINT: url },
        timeout: 30_000,
      },
    ).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain(`cannot reach ${url}`);
  });
});
