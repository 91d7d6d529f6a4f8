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
/** Strings go in as pointers to NUL-terminated UTF-8 in the module's heap (see `cString`). */
interface EspeakWorker {
  set_voice(name: string | number): number;
  get_samplerate(): number;
  synthesize(
    text: string | number,
    callback: (samples: Int16Array, events: EspeakEvent[]) => boolean | undefined,
  ): void;
}
interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
  /** The heap; replaced by a bigger view when the heap grows. */
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
}

/**
 * A fixed clock for the module's start-up: it reads the time while it initialises (and its
 * random source depends on it), which made one process's syntheses differ from another's.
 */
const FROZEN_CLOCK_MS = 1_700_000_000_000;

/** Thrown when the optional eSpeak-NG package is missing. */
export class EspeakUnavailableError extends Error {
  override name = 'EspeakUnavailableError';
}

/**
 * One eSpeak-NG instance (it is a single-threaded C library compiled to JS: one per thread).
 *
 * Deterministic: the same text and voice give the same samples and word times in any process,
 * whatever was synthesised before. eSpeak keeps state from one synthesis to the next (its
 * pitch-flutter phase, its random generator for breath noise), so the module's whole heap is
 * saved once after start-up and put back before every synthesis (~17 MB copy, ~3 ms).
 */
export class Espeak {
  private readonly encoder = new TextEncoder();

  private constructor(
    private readonly module: EspeakModule,
    private readonly worker: EspeakWorker,
    private readonly heap: Uint8Array,
  ) {}

  static async load(): Promise<Espeak> {
    let init: () => Promise<EspeakModule>;
    try {
      init = (await import(ESPEAK_PACKAGE)).default;
    } catch (err) {
      throw new EspeakUnavailableError(
        `the dtw engine needs the optional package ${ESPEAK_PACKAGE} (npm install); ${String(err)}`,
      );
    }
    const now = Date.now;
    let module: EspeakModule;
    let worker: EspeakWorker;
    try {
      Date.now = () => FROZEN_CLOCK_MS;
      module = await init();
      worker = new module.eSpeakNGWorker();
      // Its first call with a string allocates the bindings' string buffer: that must happen
      // before the heap is saved (later calls pass heap pointers, so it is never reallocated).
      if (worker.set_voice(VOICES.English) !== 0) throw new Error('eSpeak-NG has no English voice');
      // Load the English dictionary and run the synthesis path once, so the saved state is warm.
      worker.synthesize('Warming up.', () => false);
    } finally {
      Date.now = now;
    }
    return new Espeak(module, worker, module.HEAPU8.slice());
  }

  /**
   * Speaks `text` (plain text: the caller escapes nothing, SSML-looking input is neutralised
   * here) with `voice`; returns the audio and each word's start.
   */
  synthesize(text: string, voice: string): Synthesis {
    this.restore();
    if (this.worker.set_voice(this.cString(voice)) !== 0) {
      throw new Error(`eSpeak-NG has no voice '${voice}'`);
    }
    const chunks: Int16Array[] = [];
    const words: WordEvent[] = [];
    // eSpeak reads its input as SSML: markup characters become spaces (same length, so the
    // code-point positions of its events still index `text`).
    const safe = text.replace(/[<>&]/g, ' ');
    this.worker.synthesize(this.cString(safe), (samples, events) => {
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

  /** Puts the heap back as it was after start-up (what lies beyond it, if it grew, is zeroed). */
  private restore(): void {
    const heap = this.module.HEAPU8;
    heap.set(this.heap);
    if (heap.length > this.heap.length) heap.fill(0, this.heap.length);
  }

  /**
   * `value` as NUL-terminated UTF-8 in the module's heap. Never freed: the next `restore`
   * discards it with everything else allocated since start-up.
   */
  private cString(value: string): number {
    const bytes = this.encoder.encode(`${value}\0`);
    const pointer = this.module._malloc(bytes.length);
    if (!pointer) throw new Error('eSpeak-NG is out of memory');
    this.module.HEAPU8.set(bytes, pointer);
    return pointer;
  }
}
