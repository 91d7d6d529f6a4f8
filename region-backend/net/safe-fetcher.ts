import { Agent, type Dispatcher, request } from 'undici';
import { checkAddress, isIpLiteral } from './address-policy.ts';
import { guardedLookup, type Resolve } from './guarded-lookup.ts';
import type { HostAllowList } from './host-allow-list.ts';
import { OutboundFetchError, OutboundRefusedError } from './outbound-errors.ts';

export interface SafeFetcherOptions {
  allowList: HostAllowList;
  /** Largest body read from a GET, bytes. */
  maxBytes: number;
  /** Whole request (all redirects, headers and body), ms. */
  timeoutMs: number;
  maxRedirects?: number;
  /** DNS resolver (tests hand in their own); the system's by default. */
  resolve?: Resolve;
}

export interface FetchedBody {
  bytes: Uint8Array;
  /** The URL finally read, after redirects. */
  url: string;
  contentType: string | null;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Outbound HTTP for user-supplied URLs (audio_url, webhook_url) with SSRF protection: http(s)
 * only; every hop (redirects are followed here, one by one) is checked against the allow-list,
 * then its address: IP literals directly, host names at connect time through a guarded DNS
 * lookup; size and time limits throughout.
 */
export class SafeFetcher {
  private readonly guarded: Agent;
  private readonly open: Agent;

  constructor(private readonly options: SafeFetcherOptions) {
    this.guarded = new Agent({ connect: { lookup: guardedLookup(options.resolve) } });
    this.open = new Agent();
  }

  /** Checks a URL without connecting: scheme, allow-list, IP literal. Throws OutboundRefusedError. */
  vet(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundRefusedError(`'${raw.slice(0, 80)}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRefusedError(`only http and https URLs are fetched, not ${url.protocol}`);
    }
    if (this.options.allowList.allows(url)) return url;
    // WHATWG URL already turned 2130706433, 0x7f.1, 127.1 ... into dotted IPv4.
    if (isIpLiteral(url.hostname)) {
      const v = checkAddress(url.hostname);
      if (!v.allowed) {
        throw new OutboundRefusedError(
          `${v.address} is a ${v.range} address, which outbound requests may not reach`,
        );
      }
    } else if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
      throw new OutboundRefusedError(`${url.hostname} is loopback`);
    }
    return url;
  }

  /** GET with redirects followed (each hop vetted), the body read up to maxBytes. */
  async get(raw: string): Promise<FetchedBody> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let url = this.vet(raw);
    for (let hop = 0; ; hop++) {
      const res = await this.send(url, { method: 'GET', signal });
      if (REDIRECTS.has(res.statusCode)) {
        await res.body.dump();
        const location = header(res.headers, 'location');
        if (!location)
          throw new OutboundFetchError(`redirect without Location from ${url.host}`, 'status');
        if (hop >= (this.options.maxRedirects ?? 5)) {
          throw new OutboundFetchError('too many redirects', 'status');
        }
        url = this.vet(new URL(location, url).toString());
        continue;
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        await res.body.dump();
        throw new OutboundFetchError(`${url.host} answered HTTP ${res.statusCode}`, 'status');
      }
      const length = Number(header(res.headers, 'content-length') ?? Number.NaN);
      if (length > this.options.maxBytes) {
        await res.body.dump();
        throw new OutboundFetchError(
          `the file is ${length} bytes; the limit is ${this.options.maxBytes}`,
          'too-large',
        );
      }
      const bytes = await readLimited(res.body, this.options.maxBytes);
      return { bytes, url: url.toString(), contentType: header(res.headers, 'content-type') };
    }
  }

  /** POST without following redirects; resolves with the status (the body is discarded). */
  async post(raw: string, body: string, headers: Record<string, string>): Promise<number> {
    const url = this.vet(raw);
    const res = await this.send(url, {
      method: 'POST',
      body,
      headers,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    await res.body.dump();
    return res.statusCode;
  }

  async close(): Promise<void> {
    await Promise.all([this.guarded.close(), this.open.close()]);
  }

  private async send(
    url: URL,
    init: {
      method: 'GET' | 'POST';
      signal: AbortSignal;
      body?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Dispatcher.ResponseData> {
    const dispatcher = this.options.allowList.allows(url) ? this.open : this.guarded;
    try {
      return await request(url, {
        dispatcher,
        method: init.method,
        signal: init.signal,
        ...(init.body !== undefined ? { body: init.body } : {}),
        headers: { 'user-agent': 'falign/1 (+async tasks)', ...init.headers },
      });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      if (cause instanceof OutboundRefusedError) throw cause;
      if (init.signal.aborted) {
        throw new OutboundFetchError(
          `${url.host} did not answer within ${this.options.timeoutMs} ms`,
          'timeout',
        );
      }
      throw new OutboundFetchError(
        `${url.host} could not be reached (${(err as Error).message})`,
        'network',
        {
          cause: err,
        },
      );
    }
  }
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      body.destroy();
      throw new OutboundFetchError(`the file is over the limit of ${maxBytes} bytes`, 'too-large');
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
