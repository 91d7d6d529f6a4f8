import { createHash } from 'node:crypto';
import type { RedisCommand } from './command.ts';

/**
 * Script flags Upstash accepts but a stock `redis-server` 7.0 rejects ("Unexpected flag in
 * script shebang"). @upstash/ratelimit marks its scripts `#!lua flags=allow-key-locking`; on
 * one Redis a script runs atomically anyway, so dropping the flag keeps the meaning.
 */
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking']);

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

/** Removes Upstash-only flags from a script's `#!lua flags=...` line; null when nothing changes. */
export function stripUpstashOnlyFlags(script: string): string | null {
  const m = /^#!lua([^\n]*)/.exec(script);
  if (!m) return null;
  const flagsMatch = /\bflags=(\S*)/.exec(m[1]!);
  if (!flagsMatch) return null;
  const flags = flagsMatch[1]!.split(',').filter(Boolean);
  const kept = flags.filter((f) => !UPSTASH_ONLY_FLAGS.has(f));
  if (kept.length === flags.length) return null;
  const shebang = kept.length ? `#!lua flags=${kept.join(',')}` : '#!lua';
  return shebang + script.slice(m[0].length);
}

/** A command rewritten for the real Redis, and how to turn its reply back. */
export interface TranslatedCommand {
  command: RedisCommand;
  mapReply?: (reply: unknown) => unknown;
}

/**
 * Keeps script hashes stable for clients while the scripts Redis actually runs are rewritten:
 * a client computes SHA1 of the script it sent and calls EVALSHA with it, so the hash of the
 * original is mapped to the hash of the rewritten script.
 */
export class LuaScriptCompat {
  /** SHA1 of the script a client sent -> SHA1 of the script Redis knows. */
  readonly #shas = new Map<string, string>();

  translate(command: RedisCommand): TranslatedCommand {
    const [name, ...args] = command;
    switch (name) {
      case 'EVAL':
      case 'EVAL_RO': {
        const rewritten = this.#rewrite(args[0]);
        return rewritten === null ? { command } : { command: [name, rewritten, ...args.slice(1)] };
      }
      case 'EVALSHA':
      case 'EVALSHA_RO': {
        const mapped = args[0] === undefined ? undefined : this.#shas.get(args[0].toLowerCase());
        return mapped ? { command: [name, mapped, ...args.slice(1)] } : { command };
      }
      case 'SCRIPT': {
        const sub = args[0]?.toUpperCase();
        if (sub === 'LOAD' && args[1] !== undefined) {
          const original = sha1(args[1]);
          const rewritten = this.#rewrite(args[1]);
          if (rewritten === null) return { command };
          return { command: [name, args[0]!, rewritten], mapReply: () => original };
        }
        if (sub === 'EXISTS') {
          const shas = args.slice(1).map((s) => this.#shas.get(s.toLowerCase()) ?? s);
          return { command: [name, args[0]!, ...shas] };
        }
        return { command };
      }
      default:
        return { command };
    }
  }

  #rewrite(script: string | undefined): string | null {
    if (script === undefined) return null;
    const rewritten = stripUpstashOnlyFlags(script);
    if (rewritten !== null) this.#shas.set(sha1(script), sha1(rewritten));
    return rewritten;
  }
}
