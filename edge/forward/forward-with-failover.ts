import { ProblemError } from '../../shared/problem.ts';

/** A region the request may go to, in order of preference. */
export interface ForwardTarget {
  region: string;
  /** Base URL, e.g. `https://eu-west.api.falign.dev`. */
  url: string;
}

export interface ForwardOptions {
  targets: readonly ForwardTarget[];
  /** Builds the request for one attempt (fresh headers and signature each time). */
  buildRequest(target: ForwardTarget, signal: AbortSignal): Promise<Request>;
  /** Overall budget across attempts, ms. */
  deadlineMs: number;
  /** One region's budget to answer with headers, ms. */
  attemptTimeoutMs: number;
  maxAttempts: number;
  /** Aborts the attempt under way and gives up (e.g. the edge found the answer in its cache). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** What failover did: the response to return and the region that produced it. */
export interface ForwardOutcome {
  response: Response;
  region: string;
  /** Regions tried before the one that answered, with why they were passed over. */
  skipped: Array<{ region: string; reason: 'connect-error' | 'timeout' | 'unavailable' }>;
}

/**
 * Sends the request to the first target and, on a connect error, a timeout before response
 * headers, or a 503, to the next one, all within one deadline (alignment is idempotent, so a
 * replay is safe). Any other status, 4xx and 5xx included, is the answer. When every target
 * fails, the last 503 is passed on (it carries the region's Retry-After), else a 502 or 504
 * problem.
 */
export async function forwardWithFailover(options: ForwardOptions): Promise<ForwardOutcome> {
  const doFetch = options.fetch ?? fetch;
  const started = Date.now();
  const skipped: ForwardOutcome['skipped'] = [];
  let last503: { response: Response; region: string } | null = null;
  let timedOut = false;
  const targets = options.targets.slice(0, options.maxAttempts);
  if (targets.length === 0) {
    throw new ProblemError('noRegion', 'no healthy region is available; retry shortly', {
      extra: { retry_after: 2 },
    });
  }
  for (const target of targets) {
    options.signal?.throwIfAborted();
    const remaining = options.deadlineMs - (Date.now() - started);
    if (remaining <= 0) {
      timedOut = true;
      break;
    }
    const controller = new AbortController();
    const budget = Math.min(options.attemptTimeoutMs, remaining);
    // Only the wait for headers is bounded here; a body that is streaming is not cut off.
    const timer = setTimeout(() => controller.abort(new Error('attempt timed out')), budget);
    const stop = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', stop);
    let response: Response;
    try {
      response = await doFetch(await options.buildRequest(target, controller.signal));
    } catch (err) {
      clearTimeout(timer);
      if (options.signal?.aborted) throw err;
      const reason = controller.signal.aborted ? 'timeout' : 'connect-error';
      if (reason === 'timeout') timedOut = true;
      skipped.push({ region: target.region, reason });
      continue;
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
    clearTimeout(timer);
    if (response.status === 503) {
      if (last503) await last503.response.body?.cancel();
      last503 = { response, region: target.region };
      skipped.push({ region: target.region, reason: 'unavailable' });
      continue;
    }
    if (last503) await last503.response.body?.cancel();
    return { response, region: target.region, skipped };
  }
  if (last503) return { response: last503.response, region: last503.region, skipped };
  const tried = skipped.map((s) => `${s.region} (${s.reason})`).join(', ');
  if (timedOut) {
    throw new ProblemError('timeout', `no region answered in time; tried ${tried}`, {
      extra: { retry_after: 5 },
    });
  }
  throw new ProblemError('badGateway', `no region could be reached; tried ${tried}`, {
    extra: { retry_after: 2 },
  });
}
