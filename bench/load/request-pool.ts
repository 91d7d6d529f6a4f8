import type { SpeechClip } from './speech-clips.ts';

const BOUNDARY = '----falign-load-3f9c1d';
const enc = new TextEncoder();

/** Where a request pretends to come from (the dev edge places clients by this header). */
export const CLIENT_LOCATIONS = {
  'new-york': '40.71,-74.01',
  paris: '48.86,2.35',
} as const;
export type ClientLocation = keyof typeof CLIENT_LOCATIONS;

/** What one generated request is, for the per-request record. */
export interface RequestKind {
  mode: 'sync' | 'async';
  /** hot: one of a few clips sent over and over (cache hits); cold: unique audio bytes. */
  heat: 'hot' | 'cold';
  language: string;
  length: SpeechClip['length'];
  location: ClientLocation;
}

export interface PoolRequest {
  kind: RequestKind;
  headers: Record<string, string>;
  body: Buffer;
}

/** A multipart align body: the WAV as `audio`, transcript, language. */
export function multipartBody(wav: Uint8Array, text: string, language: string): Buffer {
  const head = (name: string, extra = '') =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`;
  return Buffer.concat([
    enc.encode(head('audio', '; filename="speech.wav"\r\nContent-Type: audio/wav')),
    wav,
    enc.encode(
      `\r\n${head('text')}${text}\r\n${head('language')}${language}\r\n--${BOUNDARY}--\r\n`,
    ),
  ]);
}

export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** The same clip with one sample changed: other bytes (a cache miss), the same speech. */
function variant(wav: Uint8Array, serial: number): Uint8Array {
  const out = wav.slice();
  const samples = (out.length - 44) >> 1;
  const at = 44 + 2 * (serial % samples);
  out[at] = (out[at]! + 1 + (serial % 250)) & 0xff;
  return out;
}

export interface RequestMixOptions {
  /** Share of requests sent without `Prefer: wait` (answered 202 with a task). */
  asyncShare: number;
  /** Share of requests that repeat a hot clip (cache hits after the first). */
  hotShare: number;
  /** Sync requests wait up to this many seconds (`Prefer: wait=N`). */
  waitSeconds: number;
  /** Include the ~20 s clips (more compute per request). */
  long: boolean;
}

/**
 * Generates the mix: sync and async, languages and durations, hot (repeated) and cold
 * (unique bytes) audio, clients in two places. Deterministic for a given seed.
 */
export class RequestMix {
  private serial = 0;
  private state: number;
  private readonly clips: SpeechClip[];
  private readonly hot: SpeechClip[];

  constructor(
    clips: SpeechClip[],
    private readonly options: RequestMixOptions,
    seed = 1,
  ) {
    this.clips = clips.filter((c) => options.long || c.length !== 'long');
    this.hot = this.clips.filter((c) => c.length === 'short').slice(0, 4);
    this.state = seed >>> 0 || 1;
  }

  private random(): number {
    // xorshift32: reproducible mixes without a dependency.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  next(extraHeaders: Record<string, string> = {}): PoolRequest {
    const serial = this.serial++;
    const heat = this.random() < this.options.hotShare ? 'hot' : 'cold';
    const mode = this.random() < this.options.asyncShare ? 'async' : 'sync';
    const clip = heat === 'hot' ? this.pick(this.hot) : this.pick(this.clips);
    const location = this.pick(Object.keys(CLIENT_LOCATIONS) as ClientLocation[]);
    const wav = heat === 'hot' ? clip.wav : variant(clip.wav, serial);
    return {
      kind: { mode, heat, language: clip.language, length: clip.length, location },
      headers: {
        'content-type': MULTIPART_TYPE,
        'x-client-location': CLIENT_LOCATIONS[location],
        ...(mode === 'sync' ? { prefer: `wait=${this.options.waitSeconds}` } : {}),
        ...extraHeaders,
      },
      body: multipartBody(wav, clip.text, clip.language),
    };
  }
}
