import type { AlignmentResult } from '../../shared/alignment.ts';
import { negotiateFormat } from '../../shared/formats/index.ts';
import type { OutputFormat } from '../../shared/schemas.ts';
import type { CacheHit, PreparedAlign } from '../env.ts';
import { clientLocation } from '../regions/client-location.ts';
import { type RankedRegion, rankRegions } from '../regions/rank-regions.ts';
import type { EdgeRuntime } from '../runtime.ts';
import type { WaitUntil } from '../wait-until.ts';
import { readAlignFields } from './align-fields.ts';
import { readCappedBody } from './read-body.ts';

/** Ranks the usable regions for this client from the (cached) beacons. */
export async function rankForRequest(
  req: Request,
  rt: EdgeRuntime,
  waitUntil?: WaitUntil,
): Promise<RankedRegion[]> {
  const beacons = await rt.beacons.all(waitUntil);
  return rankRegions(
    beacons,
    clientLocation(req, rt.config.allowLocationOverride),
    rt.beacons.clock(rt.now()),
    rt.config.beaconStaleMs,
  );
}

function formatFor(req: Request, field: OutputFormat | null): OutputFormat | null {
  try {
    // Most requests carry no query: no URL object for them.
    const query = req.url.indexOf('?');
    const param = query === -1 ? null : new URLSearchParams(req.url.slice(query)).get('format');
    return negotiateFormat(field ?? param, req.headers.get('accept'));
  } catch {
    // The region answers the exact 406/422.
    return null;
  }
}

/**
 * The work of POST /api/align that does not need to know the caller, run while the key and
 * rate limit are checked: buffer the body once (413 over the cap), read the regions, hash the
 * audio once and look up the result cache. A hit held in the isolate is ready at once; the
 * global read is left running (`globalHit`) so the route can overlap it with forwarding. When
 * the isolate certainly holds no hit, hashing waits until the forward has been sent.
 */
export async function prepareAlign(
  req: Request,
  rt: EdgeRuntime,
  waitUntil?: WaitUntil,
): Promise<PreparedAlign> {
  const rankedP = rankForRequest(req, rt, waitUntil);
  rankedP.catch(() => {});
  const max = rt.config.maxSyncBodyBytes;
  const started = Date.now();
  const body = await readCappedBody(
    req,
    max,
    `the body is over ${max} bytes, the edge's limit for synchronous alignment; send {"audio_url": ...} as JSON (an asynchronous task), or upload to a regional endpoint`,
  );
  const ranked = await rankedP;
  const timing: PreparedAlign['timing'] = { bodyMs: Date.now() - started, cacheMs: null };
  const miss = { body, ranked, hit: null, globalHit: null, timing };
  const fields = readAlignFields(
    body,
    req.headers.get('content-type') ?? '',
    rt.cache.knownPartLength,
  );
  if (!fields) return miss;
  const format = formatFor(req, fields.format);
  const engine = fields.engine
    ? ranked.find((r) => r.beacon.engine.name === fields.engine)?.beacon.engine
    : ranked[0]?.beacon.engine;
  if (!format || !engine) return miss;
  const asHit = (result: AlignmentResult | null): CacheHit | null =>
    result ? { result, transcript: fields.text, format } : null;
  const probeCache = async () => {
    const cacheStarted = Date.now();
    const probe = await rt.cache.probe({
      engine,
      language: fields.language,
      audio: fields.audio,
      text: fields.text,
    });
    return { probe, cacheStarted };
  };
  let globalHit: Promise<CacheHit | null>;
  if (rt.cache.mayHoldLocally(fields.audio.byteLength, fields.language, fields.text)) {
    const { probe, cacheStarted } = await probeCache();
    if ('local' in probe)
      return { ...miss, hit: asHit(probe.local), timing: { ...timing, cacheMs: 0 } };
    globalHit = probe.global.then((result) => {
      timing.cacheMs = Date.now() - cacheStarted;
      return asHit(result);
    });
  } else {
    // Certainly not held in the isolate: the forward need not wait for the audio's hash. The
    // hash and the global read start a macrotask later, once the route has sent the forward on
    // its way, and race it as before.
    globalHit = new Promise((started) => setTimeout(started, 0))
      .then(probeCache)
      .then(async ({ probe, cacheStarted }) => {
        const result = 'local' in probe ? probe.local : await probe.global;
        timing.cacheMs = Date.now() - cacheStarted;
        return asHit(result);
      })
      .catch(() => null);
  }
  // Let the read finish (and fill the isolate's cache) even when the region answers first.
  waitUntil?.(globalHit);
  return { ...miss, globalHit };
}
