import { sha256Hex } from './api-keys.ts';
import type { Language } from './languages.ts';
import { normaliseTranscript } from './transcript.ts';

/**
 * Result-cache key (DESIGN §2): engine id + model revision + language + SHA-256(audio bytes as
 * uploaded) + SHA-256(normalised text). The edge and the backends compute it identically, so a
 * result written by any region is a hit everywhere.
 */
export async function resultCacheKey(parts: {
  engine: string;
  revision: string;
  language: Language;
  audioSha256: string;
  text: string;
}): Promise<string> {
  const textSha = await sha256Hex(normaliseTranscript(parts.text));
  return `falign:result:${parts.engine}:${parts.revision}:${parts.language}:${parts.audioSha256}:${textSha}`;
}
