import {
  describeSupportedLanguages,
  type Language,
  parseLanguage,
} from '../../shared/languages.ts';
import { ProblemError } from '../../shared/problem.ts';
import { AlignJsonRequestSchema, OUTPUT_FORMATS, type OutputFormat } from '../../shared/schemas.ts';

/** A validated align request, whatever its wire form (multipart or JSON). */
export interface AlignRequest {
  /** Audio bytes as uploaded; absent when `audioUrl` is given instead. */
  audio: Uint8Array | null;
  audioUrl: string | null;
  text: string;
  language: Language;
  format: OutputFormat | null;
  engine: string | undefined;
  webhookUrl: string | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates POST /api/align. Every failure is a ProblemError naming the field:
 * 415 for a content type other than multipart/form-data or application/json, 400 for a body
 * that is not what it claims, 422 for a missing or invalid field.
 */
export async function parseAlignRequest(req: Request): Promise<AlignRequest> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') return parseMultipart(req);
  if (type === 'application/json') return parseJson(req);
  throw new ProblemError(
    'unsupportedMediaType',
    `content type '${type || '(none)'}' is not accepted; send multipart/form-data (audio file + fields) or application/json`,
  );
}

async function parseMultipart(req: Request): Promise<AlignRequest> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ProblemError(
      'badRequest',
      'the multipart body could not be parsed (bad boundary or truncated body)',
    );
  }
  const audioPart = form.get('audio');
  if (audioPart === null) throw missing('audio', 'a file part named "audio"');
  if (typeof audioPart === 'string') {
    throw new ProblemError(
      'validation',
      'field "audio" must be a file part (filename=...), not a text field',
      {
        extra: { field: 'audio' },
      },
    );
  }
  const audio = new Uint8Array(await audioPart.arrayBuffer());
  const textPart = form.get('text');
  if (textPart === null) throw missing('text', 'the transcript');
  const text =
    typeof textPart === 'string'
      ? checkTextString(textPart)
      : decodeText(new Uint8Array(await textPart.arrayBuffer()));
  return {
    audio,
    audioUrl: null,
    text,
    language: language(stringField(form, 'language', true)!),
    format: format(stringField(form, 'format', false)),
    engine: stringField(form, 'engine', false),
    webhookUrl: stringField(form, 'webhook_url', false),
  };
}

async function parseJson(req: Request): Promise<AlignRequest> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  let body: unknown;
  try {
    body = JSON.parse(decodeText(bytes, 'body'));
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw new ProblemError('badRequest', `the body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = AlignJsonRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(body)';
    throw new ProblemError('validation', `${field}: ${issue.message}`, { extra: { field } });
  }
  const b = parsed.data;
  if ((b.audio === undefined) === (b.audio_url === undefined)) {
    throw new ProblemError('validation', 'send exactly one of "audio" (base64) and "audio_url"', {
      extra: { field: 'audio' },
    });
  }
  let audio: Uint8Array | null = null;
  if (b.audio !== undefined) {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b.audio.replace(/\s+/g, ''))) {
      throw new ProblemError('validation', '"audio" is not valid base64', {
        extra: { field: 'audio' },
      });
    }
    audio = new Uint8Array(Buffer.from(b.audio, 'base64'));
  }
  return {
    audio,
    audioUrl: b.audio_url ?? null,
    text: checkTextString(b.text),
    language: language(b.language),
    format: b.format ?? null,
    engine: b.engine,
    webhookUrl: b.webhook_url,
  };
}

function missing(field: string, what: string): ProblemError {
  return new ProblemError('validation', `missing field "${field}" (${what})`, { extra: { field } });
}

function stringField(form: FormData, name: string, required: boolean): string | undefined {
  const v = form.get(name);
  if (v === null) {
    if (required) throw missing(name, 'a text field');
    return undefined;
  }
  if (typeof v !== 'string') {
    throw new ProblemError('validation', `field "${name}" must be a text field, not a file part`, {
      extra: { field: name },
    });
  }
  return v;
}

function decodeText(bytes: Uint8Array, field = 'text'): string {
  try {
    return checkTextString(utf8.decode(bytes), field);
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw new ProblemError('badRequest', `${field} is not valid UTF-8`, { extra: { field } });
  }
}

/** Form fields arrive already decoded, with U+FFFD where the bytes were not UTF-8. */
function checkTextString(text: string, field = 'text'): string {
  if (text.includes('\uFFFD')) {
    throw new ProblemError(
      'badRequest',
      `${field} is not valid UTF-8 (it contains U+FFFD replacement characters)`,
      {
        extra: { field },
      },
    );
  }
  if (field === 'text' && text.trim() === '') {
    throw new ProblemError('validation', 'text is empty', { extra: { field } });
  }
  return text;
}

function language(value: string): Language {
  const lang = parseLanguage(value);
  if (!lang) {
    throw new ProblemError(
      'unsupportedLanguage',
      `language '${value.slice(0, 40)}' is not supported; use one of: ${describeSupportedLanguages()}`,
      { extra: { field: 'language' } },
    );
  }
  return lang;
}

function format(value: string | undefined): OutputFormat | null {
  if (value === undefined || value === '') return null;
  const f = value.toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) {
    throw new ProblemError(
      'validation',
      `format '${value.slice(0, 20)}' is not one of ${OUTPUT_FORMATS.join(', ')}`,
      {
        extra: { field: 'format' },
      },
    );
  }
  return f as OutputFormat;
}

/**
 * Reads RFC 7240 `Prefer: wait=N` (seconds). Returns null when absent; the caller caps it.
 */
export function preferredWaitSeconds(prefer: string | null): number | null {
  if (!prefer) return null;
  const m = /(?:^|[,;\s])wait\s*=\s*"?(\d+(?:\.\d+)?)"?/i.exec(prefer);
  return m ? Number(m[1]) : null;
}
