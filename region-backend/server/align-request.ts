import {
  describeSupportedLanguages,
  type Language,
  parseLanguage,
} from '../../shared/languages.ts';
import { ProblemError } from '../../shared/problem.ts';
import { AlignJsonRequestSchema, OUTPUT_FORMATS, type OutputFormat } from '../../shared/schemas.ts';
import type { TaskSubmission } from '../tasks/task-service.ts';
import { type MultipartForm, parseMultipartForm } from './multipart-form.ts';

/** A validated align request, whatever its wire form (multipart or JSON); `audio` is null when `audioUrl` is given. */
export type AlignRequest = TaskSubmission;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body of a request, read once (see readRequestBody), with its Content-Type. */
export interface RequestBody {
  contentType: string;
  bytes: Uint8Array;
}

const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/**
 * Parses and validates POST /api/align. Every failure is a ProblemError naming the field:
 * 415 for a content type other than multipart/form-data or application/json, 400 for a body
 * that is not what it claims, 422 for a missing or invalid field.
 */
export async function parseAlignRequest(body: RequestBody): Promise<AlignRequest> {
  const type = mediaType(body.contentType);
  if (type === 'multipart/form-data') return parseMultipart(body);
  if (type === 'application/json') return parseJson(body.bytes);
  throw new ProblemError(
    'unsupportedMediaType',
    `content type '${type || '(none)'}' is not accepted; send multipart/form-data (audio file + fields) or application/json`,
  );
}

async function parseMultipart(body: RequestBody): Promise<AlignRequest> {
  const form = await readForm(body);
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
  const textPart = form.get('text');
  if (textPart === null) throw missing('text', 'the transcript');
  const text =
    typeof textPart === 'string' ? checkTextString(textPart) : decodeText(textPart.bytes);
  return {
    audio: audioPart.bytes,
    audioUrl: null,
    text,
    language: language(stringField(form, 'language', true)!),
    format: format(stringField(form, 'format', false)),
    engine: stringField(form, 'engine', false),
    webhookUrl: stringField(form, 'webhook_url', false),
  };
}

function parseJson(bytes: Uint8Array): AlignRequest {
  return alignRequestFromJson(readJson(bytes));
}

function readJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decodeText(bytes, 'body'));
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw new ProblemError('badRequest', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Validates one JSON align request (a body, or an item of a batch; `at` prefixes field names). */
export function alignRequestFromJson(body: unknown, at = ''): AlignRequest {
  const parsed = AlignJsonRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = at + (issue.path.join('.') || '(body)');
    throw new ProblemError('validation', `${field}: ${issue.message}`, { extra: { field } });
  }
  const b = parsed.data;
  if ((b.audio === undefined) === (b.audio_url === undefined)) {
    throw new ProblemError(
      'validation',
      `send exactly one of "${at}audio" (base64) and "${at}audio_url"`,
      {
        extra: { field: `${at}audio` },
      },
    );
  }
  let audio: Uint8Array | null = null;
  if (b.audio !== undefined) {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b.audio.replace(/\s+/g, ''))) {
      throw new ProblemError('validation', `"${at}audio" is not valid base64`, {
        extra: { field: `${at}audio` },
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

/**
 * Parses POST /api/align/batch: JSON `{"items": [<align request>, ...]}` (each item as the
 * JSON body of /api/align, `audio_url` or base64 `audio`; a top-level `webhook_url` applies to
 * items without their own), or multipart with repeated `audio` file parts and `text` fields
 * matched by order, and `language` (and optional `format`, `engine`, `webhook_url`) given once
 * for all or once per item.
 */
export async function parseBatchRequest(
  request: RequestBody,
  maxItems: number,
): Promise<AlignRequest[]> {
  const type = mediaType(request.contentType);
  let items: AlignRequest[];
  if (type === 'application/json') {
    const body = readJson(request.bytes);
    if (
      typeof body !== 'object' ||
      body === null ||
      !Array.isArray((body as { items?: unknown }).items)
    ) {
      throw new ProblemError(
        'validation',
        'send {"items": [...]} with one align request per item',
        {
          extra: { field: 'items' },
        },
      );
    }
    const {
      items: raw,
      webhook_url,
      ...rest
    } = body as { items: unknown[]; webhook_url?: unknown };
    if (Object.keys(rest).length > 0) {
      throw new ProblemError('validation', `unknown field "${Object.keys(rest)[0]}"`, {
        extra: { field: Object.keys(rest)[0] },
      });
    }
    checkCount(raw.length, maxItems);
    items = raw.map((item, i) => {
      const withHook =
        typeof webhook_url === 'string' &&
        item &&
        typeof item === 'object' &&
        !('webhook_url' in item)
          ? { ...item, webhook_url }
          : item;
      return alignRequestFromJson(withHook, `items[${i}].`);
    });
  } else if (type === 'multipart/form-data') {
    const form = await readForm(request);
    const audios = form.getAll('audio');
    const texts = form.getAll('text');
    checkCount(audios.length, maxItems);
    if (texts.length !== audios.length) {
      throw new ProblemError(
        'validation',
        `${audios.length} "audio" parts but ${texts.length} "text" fields; send one text per audio, in the same order`,
        { extra: { field: 'text' } },
      );
    }
    const perItem = (name: string, i: number, required: boolean): string | undefined => {
      const all = form.getAll(name);
      if (all.length > 1 && all.length !== audios.length) {
        throw new ProblemError('validation', `give "${name}" once for all items or once per item`, {
          extra: { field: name },
        });
      }
      const v = all.length > 1 ? all[i] : all[0];
      if (v === undefined) {
        if (required) throw missing(name, 'a text field');
        return undefined;
      }
      if (typeof v !== 'string') {
        throw new ProblemError(
          'validation',
          `field "${name}" must be a text field, not a file part`,
          {
            extra: { field: name },
          },
        );
      }
      return v;
    };
    items = [];
    for (let i = 0; i < audios.length; i++) {
      const a = audios[i]!;
      if (typeof a === 'string') {
        throw new ProblemError('validation', `audio part ${i} must be a file part (filename=...)`, {
          extra: { field: 'audio' },
        });
      }
      const t = texts[i]!;
      items.push({
        audio: a.bytes,
        audioUrl: null,
        text: typeof t === 'string' ? checkTextString(t) : decodeText(t.bytes),
        language: language(perItem('language', i, true)!),
        format: format(perItem('format', i, false)),
        engine: perItem('engine', i, false),
        webhookUrl: perItem('webhook_url', i, false),
      });
    }
  } else {
    throw new ProblemError(
      'unsupportedMediaType',
      `content type '${type || '(none)'}' is not accepted; send application/json {"items": [...]} or multipart/form-data`,
    );
  }
  return items;
}

function checkCount(n: number, maxItems: number): void {
  if (n === 0)
    throw new ProblemError('validation', 'the batch has no items', { extra: { field: 'items' } });
  if (n > maxItems) {
    throw new ProblemError(
      'payloadTooLarge',
      `the batch has ${n} items; the limit is ${maxItems}`,
      {
        extra: { field: 'items' },
      },
    );
  }
}

async function readForm(body: RequestBody): Promise<MultipartForm> {
  try {
    return await parseMultipartForm(body.contentType, body.bytes);
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw new ProblemError(
      'badRequest',
      'the multipart body could not be parsed (bad boundary or truncated body)',
    );
  }
}

function missing(field: string, what: string): ProblemError {
  return new ProblemError('validation', `missing field "${field}" (${what})`, { extra: { field } });
}

function stringField(form: MultipartForm, name: string, required: boolean): string | undefined {
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
