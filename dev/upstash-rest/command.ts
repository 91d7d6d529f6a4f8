/**
 * Parsing of Upstash REST command bodies: `["SET", "k", "v"]` for one command,
 * `[["SET", "k", "v"], ["GET", "k"]]` for `/pipeline` and `/multi-exec`.
 */

/** A command as sent to Redis: upper-cased name, then string arguments. */
export type RedisCommand = [name: string, ...args: string[]];

/** A request the REST protocol rejects before it reaches Redis; answered as `{error}` with 400. */
export class UpstashRestRequestError extends Error {
  override readonly name = 'UpstashRestRequestError';
}

/**
 * Commands that would change the state of the shared connection (or hold it) for every other
 * request. Upstash runs each request on its own; this server multiplexes one connection, so
 * these are refused. Transactions go through `/multi-exec`.
 */
const CONNECTION_STATE_COMMANDS = new Set([
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
  'MONITOR',
  'SELECT',
  'QUIT',
  'RESET',
  'AUTH',
  'HELLO',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'BLPOP',
  'BRPOP',
  'BLMOVE',
  'BRPOPLPUSH',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
  'WAIT',
  'CLIENT',
]);

/** One argument as the client may send it: the client JSON-stringifies objects itself. */
function toArgument(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw new UpstashRestRequestError(
    'ERR failed to parse command: arguments must be strings, numbers or booleans',
  );
}

/** Validates one command array and returns it with its name upper-cased. */
export function parseCommand(raw: unknown): RedisCommand {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new UpstashRestRequestError(
      'ERR failed to parse command: expected a non-empty JSON array',
    );
  }
  const [name, ...rest] = raw.map(toArgument) as [string, ...string[]];
  const upper = name.toUpperCase();
  if (!/^[A-Z][A-Z0-9_.|-]*$/.test(upper)) {
    throw new UpstashRestRequestError(`ERR unknown command '${name.slice(0, 64)}'`);
  }
  if (CONNECTION_STATE_COMMANDS.has(upper)) {
    throw new UpstashRestRequestError(
      `ERR command '${upper}' is not supported by this REST server`,
    );
  }
  return [upper, ...rest];
}

/** Validates a `/pipeline` or `/multi-exec` body: a non-empty array of commands. */
export function parseCommandList(raw: unknown): RedisCommand[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every(Array.isArray)) {
    throw new UpstashRestRequestError(
      'ERR failed to parse pipeline request: expected a non-empty JSON array of commands',
    );
  }
  return raw.map(parseCommand);
}
