import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Language } from '../../../shared/languages.ts';

const run = promisify(execFile);

/** Debian espeak-ng 1.51 voices (not the engine's WASM build) for the 11 languages. */
export const ESPEAK_BINARY_VOICES: Readonly<Record<Language, string>> = {
  Chinese: 'cmn',
  English: 'en-gb',
  Cantonese: 'yue',
  French: 'fr',
  German: 'de',
  Italian: 'it',
  Japanese: 'ja',
  Korean: 'ko',
  Portuguese: 'pt',
  Russian: 'ru',
  Spanish: 'es',
};

export interface EspeakVoiceStyle {
  /** Variant such as 'm3' or 'f2'. */
  variant: string;
  /** Words per minute. */
  rate: number;
  /** 0-99. */
  pitch: number;
}

/**
 * One word spoken by the espeak-ng binary, as WAV bytes (22.05 kHz). Words are spoken one at a
 * time: Debian's Mandarin voice misreads characters inside a sentence but reads single ones right.
 */
export async function espeakBinaryWord(
  language: Language,
  style: EspeakVoiceStyle,
  word: string,
  wavPath: string,
): Promise<void> {
  await run('espeak-ng', [
    '-v',
    `${ESPEAK_BINARY_VOICES[language]}+${style.variant}`,
    '-s',
    String(style.rate),
    '-p',
    String(style.pitch),
    '-w',
    wavPath,
    '--',
    word,
  ]);
}
