import type { Language } from '../../../shared/languages.ts';

/** eSpeak-NG voice used as the template speaker for each language. */
export const VOICES: Readonly<Record<Language, string>> = {
  Chinese: 'cmn',
  English: 'en-us',
  Cantonese: 'yue',
  French: 'fr',
  German: 'de',
  Italian: 'it',
  Japanese: 'ja',
  Korean: 'ko',
  Portuguese: 'pt-br',
  Russian: 'ru',
  Spanish: 'es',
};

/** The npm package that holds the WASM eSpeak-NG build (GPL-3.0; only this engine loads it). */
export const ESPEAK_PACKAGE = '@echogarden/espeak-ng-emscripten';

/** A word event: where eSpeak-NG started speaking a word of the input. */
export interface WordEvent {
  /** 0-based code-point offset of the word in the synthesised text. */
  position: number;
  /** Seconds from the start of the synthesis. */
  time: number;
}

export interface Synthesis {
  samples: Float32Array;
  sampleRate: number;
  words: WordEvent[];
}

/** The slice of the Emscripten module the engine uses. */
interface EspeakEvent {
  type: string;
  text_position: number;
  audio_position: number;
}
interface EspeakWorker {
  set_voice(name: string): number;
  set_rate(rate: number): void;
  get_samplerate(): number;
  synthesize(
    text: string,
    callback: (samples: Int16Array, events: EspeakEvent[]) => boolean | undefined,
  ): void;
}

/** Thrown when the optional eSpeak-NG package is missing. */
export class EspeakUnavailableError extends Error {
  override name = 'EspeakUnavailableError';
}

/**
 * One eSpeak-NG instance (it is a single-threaded C library compiled to JS: one per thread).
 */
export class Espeak {
  private constructor(private readonly worker: EspeakWorker) {}

  static async load(): Promise<Espeak> {
    let init: () => Promise<{ eSpeakNGWorker: new () => EspeakWorker }>;
    try {
      init = (await import(ESPEAK_PACKAGE)).default;
    } catch (err) {
      throw new EspeakUnavailableError(
        `the dtw engine needs the optional package ${ESPEAK_PACKAGE} (npm install); ${String(err)}`,
      );
    }
    const module = await init();
    return new Espeak(new module.eSpeakNGWorker());
  }

  /**
   * Speaks `text` (plain text: the caller escapes nothing, SSML-looking input is neutralised
   * here) with `voice`; returns the audio and each word's start.
   */
  synthesize(text: string, voice: string): Synthesis {
    if (this.worker.set_voice(voice) !== 0) throw new Error(`eSpeak-NG has no voice '${voice}'`);
    const chunks: Int16Array[] = [];
    const words: WordEvent[] = [];
    // eSpeak reads its input as SSML: markup characters become spaces (same length, so the
    // code-point positions of its events still index `text`).
    const safe = text.replace(/[<>&]/g, ' ');
    this.worker.synthesize(safe, (samples, events) => {
      if (samples && samples.length > 0) chunks.push(samples);
      for (const e of events) {
        if (e.type === 'word')
          words.push({ position: e.text_position - 1, time: e.audio_position / 1000 });
      }
      return false;
    });
    let length = 0;
    for (const c of chunks) length += c.length;
    const samples = new Float32Array(length);
    let at = 0;
    for (const c of chunks) {
      for (let i = 0; i < c.length; i++) samples[at + i] = c[i]! / 32768;
      at += c.length;
    }
    return { samples, sampleRate: this.worker.get_samplerate(), words };
  }
}
