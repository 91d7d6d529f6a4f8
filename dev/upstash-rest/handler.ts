import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { parseCommand, parseCommandList, UpstashRestRequestError } from './command.ts';
import { CommandExecutor, type CommandOutcome, TransactionAbortedError } from './execute.ts';
import { encodeReply } from './reply.ts';

export interface UpstashRestHandlerOptions {
  redis: Redis;
  /** The bearer token every request must carry. */
  token: string;
  /** Largest request body accepted, bytes (Upstash's own cap is in this range). */
  maxBodyBytes?: number;
}

/** A request refused with a status and `{error}`, as Upstash refuses it. */
class RestReply extends Error {
  override readonly name = 'RestReply';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The body, refused with 413 past `max` bytes (declared or streamed). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const tooLarge = () => new RestReply(413, 'ERR max request size exceeded');
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > max) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new UpstashRestRequestError('ERR failed to parse command: body is not JSON');
  }
}

/**
 * The Upstash Redis REST protocol in front of a real Redis, as a plain Node request handler:
 * `POST /` (one command), `POST /pipeline`, `POST /multi-exec`; `Upstash-Encoding: base64`
 * answers; errors as `{error}` with 400 (401 for a bad token, 413 for a body over the cap,
 * 404 for another endpoint), as Upstash answers them.
 *
 * Plain `node:http` rather than a Web Request/Response framework: this server stands in for
 * Upstash's service, which answers in well under a millisecond, and the Web adapter (Request
 * objects, body streams, async WebCrypto for the token check) cost more CPU per call here than
 * Redis itself, slowing every edge and backend call in the local stack and its benchmarks.
 */
export function createUpstashRestHandler(
  options: UpstashRestHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const executor = new CommandExecutor(options.redis);
  const expected = Buffer.from(`Bearer ${options.token}`);
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const authorised = (header: string | undefined) => {
    if (header === undefined) return false;
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const encodeOutcomes = (outcomes: CommandOutcome[], base64: boolean) =>
    outcomes.map((o) => ('error' in o ? o : { result: encodeReply(o.result, base64) }));

  const answer = async (req: IncomingMessage): Promise<unknown> => {
    if (!authorised(req.headers.authorization)) throw new RestReply(401, 'Unauthorized');
    const path = (req.url ?? '/').split('?')[0];
    const endpoint =
      req.method === 'POST' && (path === '/' || path === '/pipeline' || path === '/multi-exec')
        ? path
        : null;
    if (!endpoint) throw new RestReply(404, `ERR unknown endpoint ${path}`);
    const body = parseJson(await readBody(req, maxBodyBytes));
    const base64 = req.headers['upstash-encoding']?.toString().toLowerCase() === 'base64';
    if (endpoint === '/') {
      return { result: encodeReply(await executor.run(parseCommand(body)), base64) };
    }
    const commands = parseCommandList(body);
    const outcomes =
      endpoint === '/pipeline'
        ? await executor.pipeline(commands)
        : await executor.transaction(commands);
    return encodeOutcomes(outcomes, base64);
  };

  return (req, res) => {
    answer(req).then(
      (value) => send(res, 200, value),
      (err: unknown) => {
        // Redis reply errors, protocol errors and aborted transactions all reach the client as
        // `{error}` with 400, which @upstash/redis turns into an UpstashError. Anything else
        // (Redis unreachable) is a 500 with the same shape.
        const e = err instanceof Error ? err : new Error(String(err));
        if (e instanceof RestReply) {
          send(res, e.status, { error: e.message });
          return;
        }
        const isClientError =
          e.name === 'ReplyError' ||
          e instanceof UpstashRestRequestError ||
          e instanceof TransactionAbortedError;
        if (!res.headersSent) send(res, isClientError ? 400 : 500, { error: e.message });
      },
    );
  };
}
