import type { Redis } from 'ioredis';
import type { RedisCommand } from './command.ts';
import { LuaScriptCompat } from './lua-compat.ts';

/** One entry of a `/pipeline` or `/multi-exec` reply before encoding. */
export type CommandOutcome = { result: unknown } | { error: string };

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A transaction Redis refused as a whole (EXECABORT): answered as one error. */
export class TransactionAbortedError extends Error {
  override readonly name = 'TransactionAbortedError';
}

/**
 * Runs REST commands on one ioredis connection with buffer replies, so binary values (audio
 * hashes, compressed payloads) survive. Names are upper-case, which also keeps ioredis's
 * lower-case reply transformers (e.g. HGETALL -> object) out of the way.
 */
export class CommandExecutor {
  readonly #redis: Redis;
  readonly #lua = new LuaScriptCompat();

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /** Runs one command. */
  async run(command: RedisCommand): Promise<unknown> {
    const {
      command: [name, ...args],
      mapReply,
    } = this.#lua.translate(command);
    const reply = await this.#redis.callBuffer(name, ...args);
    return mapReply ? mapReply(reply) : reply;
  }

  /** Runs commands independently, written back to back; one failing does not stop the rest. */
  async pipeline(commands: RedisCommand[]): Promise<CommandOutcome[]> {
    const settled = await Promise.allSettled(commands.map((c) => this.run(c)));
    return settled.map((s) =>
      s.status === 'fulfilled' ? { result: s.value } : { error: errorMessage(s.reason) },
    );
  }

  /**
   * Runs commands as one MULTI/EXEC transaction. A command that fails at run time (wrong type)
   * yields its own error entry, as Redis does; one that fails to queue aborts the whole
   * transaction.
   */
  async transaction(commands: RedisCommand[]): Promise<CommandOutcome[]> {
    const multi = this.#redis.multi();
    const mappers = commands.map((c) => {
      const {
        command: [name, ...args],
        mapReply,
      } = this.#lua.translate(c);
      multi.callBuffer(name, ...args);
      return mapReply;
    });
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await multi.exec();
    } catch (err) {
      throw new TransactionAbortedError(errorMessage(err), { cause: err });
    }
    if (!replies) throw new TransactionAbortedError('EXECABORT Transaction discarded');
    return replies.map(([err, result], i) => {
      if (err) return { error: err.message };
      const map = mappers[i];
      return { result: map ? map(result) : result };
    });
  }
}
