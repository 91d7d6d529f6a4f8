import autocannon from 'autocannon';
import type { PoolRequest, RequestKind, RequestMix } from './request-pool.ts';

/** What happened to one request, as the client saw it. */
export interface RequestRecord {
  /** Milliseconds from the start of the run to the answer. */
  at: number;
  latencyMs: number;
  status: number;
  kind: RequestKind;
  tenant: string;
  region: string | null;
  cache: string | null;
  retryAfter: string | null;
  engine: string | null;
  taskId: string | null;
  /** For errors: the problem type's code and the start of its detail. */
  problem: string | null;
}

/** A request autocannon had to re-send after its connection failed (no answer to it). */
export interface ConnectionError {
  at: number;
  tenant: string;
  error: string;
}

export interface LoadStream {
  /** Tenant name, for the record. */
  tenant: string;
  apiKey: string;
  mix: RequestMix;
  connections: number;
  /** Requests per second across the stream's connections; unlimited when absent. */
  rate?: number;
}

export interface LoadRunOptions {
  url: string;
  streams: LoadStream[];
  durationSeconds: number;
  /** Cap on requests per stream. */
  maxRequests: number;
  /** Seconds before autocannon gives up on one answer. */
  timeoutSeconds: number;
  /** Ends the run early (e.g. when a chaos script is through its phases). */
  signal?: AbortSignal;
}

export interface LoadRun {
  startedAt: number;
  elapsedMs: number;
  records: RequestRecord[];
  errors: ConnectionError[];
}

interface Pending {
  start: number;
  request: PoolRequest;
}

/** A response header by name, whatever case the server wrote it in. */
function header(headers: Record<string, string | string[]>, name: string): string | null {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Runs every stream at once with autocannon (one instance per stream, e.g. well-behaved
 * tenants and a flooding one) against POST /api/align, bounded by time and count, and
 * records every answer with its status, region, cache outcome and task id.
 */
export async function runLoad(options: LoadRunOptions): Promise<LoadRun> {
  const startedAt = Date.now();
  const records: RequestRecord[] = [];
  const errors: ConnectionError[] = [];
  const now = () => Date.now() - startedAt;
  const runs = options.streams.map((stream) => {
    let answered = 0;
    let finish: (err: Error | null) => void = () => {};
    const finished = new Promise<void>((resolve, reject) => {
      finish = (err) => (err ? reject(err) : resolve());
    });
    const instance = autocannon(
      {
        url: options.url,
        connections: stream.connections,
        pipelining: 1,
        // Not autocannon's `amount`, which would override `duration`: the count is capped below.
        duration: options.durationSeconds,
        timeout: options.timeoutSeconds,
        ...(stream.rate ? { overallRate: stream.rate } : {}),
        requests: [
          {
            method: 'POST',
            path: '/api/align',
            setupRequest: (req, ctx) => {
              const context = ctx as Record<string, unknown>;
              const request = stream.mix.next({ authorization: `Bearer ${stream.apiKey}` });
              context.pending = { start: now(), request } satisfies Pending;
              return { ...req, headers: request.headers, body: request.body };
            },
            onResponse: (status, body, ctx, headers) => {
              const context = ctx as Record<string, unknown>;
              const pending = context.pending as Pending | undefined;
              if (!pending) return;
              context.pending = undefined;
              const h = (headers ?? {}) as Record<string, string | string[]>;
              const json = parseJson(body);
              const engine = (json?.engine as { name?: string } | undefined)?.name ?? null;
              const at = now();
              records.push({
                at,
                latencyMs: at - pending.start,
                status,
                kind: pending.request.kind,
                tenant: stream.tenant,
                region: header(h, 'x-region'),
                cache: header(h, 'x-cache'),
                retryAfter: header(h, 'retry-after'),
                engine,
                taskId: status === 202 && typeof json?.task_id === 'string' ? json.task_id : null,
                problem:
                  status >= 400
                    ? `${String(json?.type ?? '')
                        .split('/')
                        .pop()}: ${String(json?.detail ?? body).slice(0, 160)}`
                    : null,
              });
              answered += 1;
              if (answered >= options.maxRequests) instance.stop();
            },
          },
        ],
      },
      (err) => finish(err ?? null),
    );
    options.signal?.addEventListener('abort', () => instance.stop(), { once: true });
    instance.on('reqError', (err: Error) => {
      errors.push({ at: now(), tenant: stream.tenant, error: err.message });
    });
    return finished;
  });
  await Promise.all(runs);
  return { startedAt, elapsedMs: now(), records, errors };
}
