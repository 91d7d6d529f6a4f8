import { type Language, parseLanguage } from '../../shared/languages.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../../shared/schemas.ts';
import { type KnownPartLength, multipartBoundary, parseMultipart } from './multipart-fields.ts';

/** What the edge needs from an align request to look up the result cache. */
export interface AlignFields {
  audio: Uint8Array;
  text: string;
  language: Language;
  format: OutputFormat | null;
  engine: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function asFormat(v: unknown): OutputFormat | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  const f = String(v).toLowerCase();
  return (OUTPUT_FORMATS as readonly string[]).includes(f) ? (f as OutputFormat) : undefined;
}

function base64ToBytes(b64: string): Uint8Array | null {
  try {
    const bin = atob(b64.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/**
 * Extracts the cache-relevant fields of POST /api/align (multipart or JSON). Returns null when
 * the request is not one the edge can answer from cache (audio_url, a field it cannot read,
 * an unknown language or format): the region then validates it and answers.
 * `knownPartLength` lets the multipart parser skip over uploads it already knows.
 */
export function readAlignFields(
  body: Uint8Array,
  contentType: string,
  knownPartLength?: KnownPartLength,
): AlignFields | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let audio: Uint8Array | null = null;
  let text: string | null = null;
  let language: string | null = null;
  let rawFormat: unknown;
  let engine: string | null = null;
  if (type === 'multipart/form-data') {
    const boundary = multipartBoundary(contentType);
    const parts = boundary ? parseMultipart(body, boundary, knownPartLength) : null;
    if (!parts) return null;
    const field = (name: string) => parts.find((p) => p.name === name);
    const audioPart = field('audio');
    if (!audioPart || audioPart.filename === null) return null;
    audio = audioPart.data;
    const read = (name: string) => {
      const p = field(name);
      return p ? decodeUtf8(p.data) : null;
    };
    text = read('text');
    language = read('language');
    rawFormat = read('format') ?? undefined;
    engine = read('engine');
  } else if (type === 'application/json') {
    const json = decodeUtf8(body);
    if (json === null) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const o = parsed as Record<string, unknown>;
    if (typeof o.audio !== 'string' || o.audio_url !== undefined) return null;
    audio = base64ToBytes(o.audio);
    text = typeof o.text === 'string' ? o.text : null;
    language = typeof o.language === 'string' ? o.language : null;
    rawFormat = o.format;
    engine = typeof o.engine === 'string' ? o.engine : null;
  } else {
    return null;
  }
  const lang = language === null ? null : parseLanguage(language);
  const format = asFormat(rawFormat);
  if (!audio || audio.length === 0 || text === null || !lang || format === undefined) return null;
  return { audio, text, language: lang, format, engine: engine || null };
}
