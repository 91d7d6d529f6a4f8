import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import type { Redis } from 'ioredis';
import { parseCommand, parseCommandList, UpstashRestRequestError } from './command.ts';
import { CommandExecutor, type CommandOutcome } from './execute.ts';
import { encodeReply } from './reply.ts';

export interface UpstashRestAppOptions {
  redis: Redis;
  /** The bearer token every request must carry. */
  token: string;
  /** Largest request body accepted, bytes (Upstash's own cap is in this range). */
  maxBodyBytes?: number;
}

const unauthorized = () =>
  new Response(JSON.stringify({ error: 'Unauthorized' }), {
    status: 401,
    headers: { 'content-type': 'application/json' },
  });

/**
 * The Upstash Redis REST protocol in front of a real Redis: `POST /` (one command),
 * `POST /pipeline`, `POST /multi-exec`; `Upstash-Encoding: base64` answers; errors as
 * `{error}` with 400 (401 for a bad token), as Upstash answers them.
 */
export function createUpstashRestApp(options: UpstashRestAppOptions): Hono {
  const { token } = options;
  const executor = new CommandExecutor(options.redis);
  const app = new Hono();

  app.use(
    '*',
    bearerAuth({
      token,
      noAuthenticationHeader: { message: unauthorized },
      invalidAuthenticationHeader: { message: unauthorized },
      invalidToken: { message: unauthorized },
    }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 64 * 1024 * 1024,
      onError: (c) => c.json({ error: 'ERR max request size exceeded' }, 413),
    }),
  );

  const readJson = async (req: Request): Promise<unknown> => {
    try {
      return await req.json();
    } catch {
      throw new UpstashRestRequestError('ERR failed to parse command: body is not JSON');
    }
  };
  const wantsBase64 = (req: Request) =>
    req.headers.get('upstash-encoding')?.toLowerCase() === 'base64';
  const encodeOutcomes = (outcomes: CommandOutcome[], base64: boolean) =>
    outcomes.map((o) => ('error' in o ? o : { result: encodeReply(o.result, base64) }));

  app.post('/', async (c) => {
    const command = parseCommand(await readJson(c.req.raw));
    const result = await executor.run(command);
    return c.json({ result: encodeReply(result, wantsBase64(c.req.raw)) });
  });

  app.post('/pipeline', async (c) => {
    const commands = parseCommandList(await readJson(c.req.raw));
    return c.json(encodeOutcomes(await executor.pipeline(commands), wantsBase64(c.req.raw)));
  });

  app.post('/multi-exec', async (c) => {
    const commands = parseCommandList(await readJson(c.req.raw));
    return c.json(encodeOutcomes(await executor.transaction(commands), wantsBase64(c.req.raw)));
  });

  app.notFound((c) => c.json({ error: `ERR unknown endpoint ${c.req.path}` }, 404));

  // Redis reply errors, protocol errors and aborted transactions all reach the client as
  // `{error}` with 400, which @upstash/redis turns into an UpstashError. Anything else (Redis
  // unreachable) is a 500 with the same shape.
  app.onError((err, c) => {
    if ('getResponse' in err && typeof err.getResponse === 'function') {
      return err.getResponse() as Response;
    }
    const isReplyError = err.name === 'ReplyError' || err instanceof UpstashRestRequestError;
    const status = isReplyError || err.name === 'TransactionAbortedError' ? 400 : 500;
    return c.json({ error: err.message }, status);
  });

  return app;
}
