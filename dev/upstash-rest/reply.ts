/**
 * Turns ioredis buffer replies into the JSON the Upstash REST API returns: bulk strings as
 * UTF-8 text, or base64 when the client asked for `Upstash-Encoding: base64` (the literal
 * status `OK` stays as is), integers as numbers, nil as null, arrays recursively.
 */

/** A reply value as JSON. */
export type JsonReply = string | number | null | JsonReply[];

const OK = 'OK';

export function encodeReply(value: unknown, base64: boolean): JsonReply {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) {
    if (!base64) return value.toString('utf8');
    return value.length === 2 && value.toString('latin1') === OK ? OK : value.toString('base64');
  }
  if (typeof value === 'string') {
    if (!base64 || value === OK) return value;
    return Buffer.from(value, 'utf8').toString('base64');
  }
  if (Array.isArray(value)) return value.map((v) => encodeReply(v, base64));
  // An error nested inside an array reply (e.g. from a Lua table) becomes its message.
  if (value instanceof Error) return encodeReply(value.message, base64);
  // ioredis turns HGETALL-like replies into objects; the REST API returns them flat.
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      encodeReply(k, base64),
      encodeReply(v, base64),
    ]);
  }
  return encodeReply(String(value), base64);
}
