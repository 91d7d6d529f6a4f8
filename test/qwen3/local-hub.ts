import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One request as the local hub saw it. */
export interface HubRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

export interface LocalHubOptions {
  repo: string;
  dir: string;
  commit?: string;
  /** Files stored as LFS objects (redirected to the CDN path, sha256 etag). */
  lfs?: string[];
  /** When set, the resolve and api routes require this bearer token. */
  token?: string;
  /** Serve corrupted bytes for this file. */
  corrupt?: string;
  /** Stop the body of this file after this many bytes (the first time only). */
  truncate?: { file: string; bytes: number };
}

/**
 * A Hub-like HTTP server on 127.0.0.1 serving one directory as a model repository the way
 * huggingface.co does: `/api/models/<repo>/revision/<rev>` (sha + siblings),
 * `/<repo>/resolve/<rev>/<file>` answering small files directly (ETag = git blob sha1) and
 * LFS files with a 302 to a CDN path (X-Linked-Etag = sha256, X-Linked-Size), X-Repo-Commit on
 * both; Range requests on the CDN path.
 */
export async function startLocalHub(
  o: LocalHubOptions,
): Promise<{ url: string; requests: HubRequest[]; close: () => Promise<void> }> {
  const commit = o.commit ?? 'a'.repeat(40);
  const files = readdirSync(o.dir);
  const lfs = new Set(o.lfs ?? ['model.safetensors']);
  const requests: HubRequest[] = [];
  let truncated = false;
  const content = (f: string) => {
    const b = readFileSync(join(o.dir, f));
    if (o.corrupt === f) b[b.length >> 1] = b[b.length >> 1]! ^ 0xff;
    return b;
  };
  const sha256 = (f: string) =>
    createHash('sha256')
      .update(readFileSync(join(o.dir, f)))
      .digest('hex');
  const gitSha1 = (f: string) => {
    const b = readFileSync(join(o.dir, f));
    return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
  };
  const authorised = (req: IncomingMessage) =>
    !o.token || req.headers.authorization === `Bearer ${o.token}`;
  let cdnOrigin = '';
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const api = `/api/models/${o.repo}/revision/`;
    const resolvePrefix = `/${o.repo}/resolve/`;
    if (url.pathname.startsWith(api)) {
      if (!authorised(req)) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          id: o.repo,
          sha: commit,
          siblings: files.map((rfilename) => ({ rfilename })),
        }),
      );
    }
    if (url.pathname.startsWith(resolvePrefix)) {
      if (!authorised(req)) return void res.writeHead(401).end();
      const [rev, ...rest] = url.pathname.slice(resolvePrefix.length).split('/');
      const file = decodeURIComponent(rest.join('/'));
      if (!files.includes(file) || (rev !== commit && rev !== 'main')) {
        return void res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
      }
      const size = readFileSync(join(o.dir, file)).length;
      if (lfs.has(file)) {
        const hash = sha256(file);
        res.writeHead(302, {
          // LFS content lives on another origin (a CDN), as on the real Hub.
          location: `${cdnOrigin}/cdn/${hash}/${file}?signature=local`,
          'x-repo-commit': commit,
          'x-linked-etag': `"${hash}"`,
          'x-linked-size': String(size),
          etag: `"${gitSha1(file)}"`,
        });
        return void res.end();
      }
      const body = content(file);
      res.writeHead(200, {
        'x-repo-commit': commit,
        etag: `"${gitSha1(file)}"`,
        'content-length': String(body.length),
      });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (url.pathname.startsWith('/cdn/')) {
      const file = decodeURIComponent(url.pathname.split('/').slice(3).join('/'));
      let body = content(file);
      let status = 200;
      const headers: Record<string, string> = { 'accept-ranges': 'bytes' };
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (m) {
        const from = Number(m[1]);
        headers['content-range'] = `bytes ${from}-${body.length - 1}/${body.length}`;
        body = body.subarray(from);
        status = 206;
      }
      if (o.truncate?.file === file && !truncated) {
        truncated = true;
        headers['content-length'] = String(body.length);
        res.writeHead(status, headers);
        res.write(body.subarray(0, o.truncate.bytes));
        // Let the partial body reach the client, then drop the connection mid-file.
        return void setTimeout(() => res.destroy(), 100);
      }
      headers['content-length'] = String(body.length);
      res.writeHead(status, headers);
      return void res.end(body);
    }
    res.writeHead(404).end();
  };
  const listen = async (): Promise<[Server, string]> => {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
  };
  const [hub, url] = await listen();
  const [cdn, cdnUrl] = await listen();
  cdnOrigin = cdnUrl;
  const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
  return { url, requests, close: async () => void (await Promise.all([close(hub), close(cdn)])) };
}
