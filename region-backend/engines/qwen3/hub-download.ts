import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPO, MODEL_FILES, PULL_MANIFEST_FILE, type PullManifest } from './model-files.ts';

/** A pull that cannot finish: offline, unauthorised, missing repo or file, corrupt download. */
export class HubDownloadError extends Error {
  override name = 'HubDownloadError';
}

export interface PullOptions {
  repo?: string;
  revision?: string;
  dir: string;
  /** Default `HF_ENDPOINT` or https://huggingface.co. */
  endpoint?: string;
  /** Default `HF_TOKEN`; sent only to the endpoint's own origin, never to redirect targets. */
  token?: string | undefined;
  /** Files to fetch when the repo has them (default MODEL_FILES). */
  files?: readonly string[];
  /** Progress: file name, bytes so far, total bytes. */
  onProgress?: (file: string, done: number, total: number) => void;
  fetchImpl?: typeof fetch;
}

interface FileMeta {
  url: string;
  size: number;
  /** sha256 for LFS files (X-Linked-Etag), git blob sha1 for the others (ETag). */
  etag: string;
  commit?: string;
}

const unquote = (s: string | null): string => (s ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');

/**
 * Downloads a model repository's files from the Hugging Face Hub (or a mirror via
 * HF_ENDPOINT) into `dir`, the way `huggingface_hub` does: the file list from
 * `/api/models/<repo>/revision/<rev>`, each file from `/<repo>/resolve/<rev>/<file>` after a
 * HEAD without redirects for its size and etag; downloads go to `<file>.incomplete` and
 * resume with a Range request; each file is checked against its etag (sha256 for LFS files,
 * the git blob sha1 for the others) before it is renamed into place.
 */
export async function pullModel(options: PullOptions): Promise<PullManifest> {
  const repo = options.repo ?? DEFAULT_REPO;
  const revision = options.revision ?? 'main';
  const endpoint = (
    options.endpoint ??
    process.env['HF_ENDPOINT'] ??
    'https://huggingface.co'
  ).replace(/\/+$/, '');
  const token = options.token ?? process.env['HF_TOKEN'] ?? undefined;
  const doFetch = options.fetchImpl ?? fetch;
  const origin = new URL(endpoint).origin;
  const headersFor = (url: string, extra: Record<string, string> = {}): Record<string, string> => {
    const h: Record<string, string> = { 'user-agent': 'falign/1 (model pull)', ...extra };
    if (token && new URL(url).origin === origin) h['authorization'] = `Bearer ${token}`;
    return h;
  };
  const request = async (url: string, init: RequestInit & { headers: Record<string, string> }) => {
    try {
      return await doFetch(url, { ...init, redirect: 'manual' });
    } catch (err) {
      throw new HubDownloadError(
        `cannot reach ${endpoint} (${(err as Error).cause ?? (err as Error).message}): check the network, ` +
          'or set HF_ENDPOINT to a reachable mirror, or copy the model files into the directory by hand',
      );
    }
  };
  const failure = (res: Response, what: string): HubDownloadError => {
    if (res.status === 401 || res.status === 403) {
      return new HubDownloadError(
        `${what}: the Hub answered ${res.status}; ${token ? 'HF_TOKEN was refused' : 'set HF_TOKEN to a token with access to the repository'}`,
      );
    }
    if (res.status === 404)
      return new HubDownloadError(
        `${what}: not found on ${endpoint} (repo ${repo}, revision ${revision})`,
      );
    return new HubDownloadError(`${what}: the Hub answered ${res.status} ${res.statusText}`);
  };

  /** Follows redirects by hand so the token never leaves the endpoint's origin. */
  const follow = async (url: string, method: string, extra: Record<string, string> = {}) => {
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      const res = await request(current, { method, headers: headersFor(current, extra) });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        current = new URL(res.headers.get('location')!, current).toString();
        continue;
      }
      return { res, url: current };
    }
    throw new HubDownloadError(`too many redirects for ${url}`);
  };

  const infoUrl = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const info = await request(infoUrl, { method: 'GET', headers: headersFor(infoUrl) });
  if (!info.ok) throw failure(info, `repository ${repo}`);
  const body = (await info.json()) as { sha?: string; siblings?: { rfilename: string }[] };
  const available = new Set((body.siblings ?? []).map((s) => s.rfilename));
  const commit = body.sha;
  const wanted = (options.files ?? MODEL_FILES).filter((f) => available.has(f));
  if (!wanted.includes('model.safetensors') || !wanted.includes('config.json')) {
    throw new HubDownloadError(
      `${repo}@${revision} has no model.safetensors + config.json: is it a Qwen3-ForcedAligner repository?`,
    );
  }
  // Pin every file to the commit the revision resolved to, so a moving branch cannot mix files.
  const ref = commit ?? revision;

  mkdirSync(options.dir, { recursive: true });
  const files: PullManifest['files'] = {};
  for (const file of wanted) {
    const meta = await headFile(`${endpoint}/${repo}/resolve/${encodeURIComponent(ref)}/${file}`);
    const target = join(options.dir, file);
    const sha256 =
      existsSync(target) && (await matchesEtag(target, meta))
        ? await hashFile(target, 'sha256')
        : await download(file, meta, target);
    files[file] = { size: meta.size, sha256, etag: meta.etag };
  }
  const manifest: PullManifest = {
    repo,
    revision,
    ...(commit ? { commit } : {}),
    files,
    pulledAt: new Date().toISOString(),
  };
  writeFileSync(join(options.dir, PULL_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;

  async function headFile(url: string): Promise<FileMeta> {
    const res = await request(url, { method: 'HEAD', headers: headersFor(url) });
    if (!(res.ok || (res.status >= 300 && res.status < 400)))
      throw failure(res, url.slice(endpoint.length + 1));
    const etag = unquote(res.headers.get('x-linked-etag') ?? res.headers.get('etag'));
    const size = Number(
      res.headers.get('x-linked-size') ?? res.headers.get('content-length') ?? Number.NaN,
    );
    if (!etag || !Number.isFinite(size))
      throw new HubDownloadError(`${url}: the server sent no etag or size`);
    return { url, size, etag, commit: res.headers.get('x-repo-commit') ?? undefined };
  }

  async function download(file: string, meta: FileMeta, target: string): Promise<string> {
    const partial = `${target}.incomplete`;
    let have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > meta.size) {
      rmSync(partial);
      have = 0;
    }
    if (have < meta.size) {
      const { res } = await follow(meta.url, 'GET', have > 0 ? { range: `bytes=${have}-` } : {});
      if (!(res.status === 200 || res.status === 206)) throw failure(res, file);
      if (res.status === 200) have = 0; // the server ignored the range: start over
      const fd = openSync(partial, have > 0 ? 'a' : 'w');
      try {
        options.onProgress?.(file, have, meta.size);
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          writeSync(fd, chunk);
          have += chunk.byteLength;
          options.onProgress?.(file, have, meta.size);
        }
      } catch (err) {
        throw new HubDownloadError(
          `${file}: connection lost after ${have} of ${meta.size} bytes (${(err as Error).message}); run the pull again to resume`,
        );
      } finally {
        closeSync(fd);
      }
    }
    if (statSync(partial).size !== meta.size) {
      throw new HubDownloadError(
        `${file}: download stopped at ${statSync(partial).size} of ${meta.size} bytes; run the pull again to resume`,
      );
    }
    if (!(await matchesEtag(partial, meta))) {
      rmSync(partial);
      throw new HubDownloadError(
        `${file}: checksum mismatch (expected ${meta.etag}); the partial file was removed, run the pull again`,
      );
    }
    renameSync(partial, target);
    return hashFile(target, 'sha256');
  }
}

/** Whether a file's content matches a Hub etag: sha256 (LFS) or git blob sha1 (regular). */
async function matchesEtag(path: string, meta: FileMeta): Promise<boolean> {
  if (statSync(path).size !== meta.size) return false;
  if (/^[0-9a-f]{64}$/.test(meta.etag)) return (await hashFile(path, 'sha256')) === meta.etag;
  if (/^[0-9a-f]{40}$/.test(meta.etag))
    return (await hashFile(path, 'sha1', `blob ${meta.size}\0`)) === meta.etag;
  return false;
}

async function hashFile(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  const h = createHash(algorithm);
  if (prefix) h.update(prefix);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}
