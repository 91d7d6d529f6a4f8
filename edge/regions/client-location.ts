import type { GeoPoint } from './great-circle.ts';

/** Dev-only header that places the client: `X-Client-Location: 48.85,2.35`. */
export const CLIENT_LOCATION_HEADER = 'x-client-location';

function point(lat: unknown, lon: unknown): GeoPoint | null {
  const latitude = typeof lat === 'number' ? lat : Number.parseFloat(String(lat));
  const longitude = typeof lon === 'number' ? lon : Number.parseFloat(String(lon));
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude };
}

/**
 * Where the client is: Cloudflare's `request.cf` latitude/longitude, or (only when allowed,
 * i.e. in the dev environment) the override header. Null when unknown.
 */
export function clientLocation(req: Request, allowOverride: boolean): GeoPoint | null {
  if (allowOverride) {
    const header = req.headers.get(CLIENT_LOCATION_HEADER);
    if (header) {
      const [lat, lon] = header.split(',');
      const p = point(lat, lon);
      if (p) return p;
    }
  }
  const cf = (req as Request & { cf?: { latitude?: unknown; longitude?: unknown } }).cf;
  return cf ? point(cf.latitude, cf.longitude) : null;
}
