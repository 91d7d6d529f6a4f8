import fc from 'fast-check';
import { LANGUAGE_NAMES } from '../../shared/languages.ts';
import { OUTPUT_FORMATS } from '../../shared/schemas.ts';
import { type AudioMutation, applyMutation, audioMutation, concat } from './audio-mutations.ts';

/** One HTTP request of the fuzzer, fully materialised (bytes and headers). */
export interface FuzzRequest {
  path: '/api/align' | '/api/align/batch';
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Audio a request may carry: the valid sample, a mutated one, or noise. */
export type AudioChoice =
  | { kind: 'valid' }
  | { kind: 'mutated'; mutations: AudioMutation[] }
  | { kind: 'noise'; bytes: Uint8Array };

/**
 * URLs the fuzzer may put in `audio_url`/`webhook_url`: loopback only (the backend refuses
 * private addresses without an allow-list anyway), plus non-URLs. Nothing that could make a
 * backend resolve or reach a public host.
 */
const LOOPBACK_URLS = [
  'http://127.0.0.1:9/a.wav',
  'https://127.0.0.1:9/',
  'http://[::1]:9/x.flac',
  'ftp://127.0.0.1:9/a.wav',
  'file:///etc/passwd',
  'not a url',
  '',
];

const enc = new TextEncoder();

const textValue = fc.oneof(
  fc.constant('the quick brown fox jumps over the lazy dog'),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constant(''),
  fc.constant(' \n\t '),
);
const languageValue = fc.oneof(
  fc.constantFrom(...LANGUAGE_NAMES, 'en', 'eng', 'zh', 'yue', 'EN', 'Klingon', ''),
  fc.string({ maxLength: 20 }),
);
const formatValue = fc.oneof(fc.constantFrom(...OUTPUT_FORMATS), fc.string({ maxLength: 12 }));
const engineValue = fc.constantFrom('dtw', 'qwen3', 'nope', '', '../../etc');

export const audioChoice: fc.Arbitrary<AudioChoice> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'valid' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      mutations: fc.array(audioMutation, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('noise' as const),
      bytes: fc.uint8Array({ maxLength: 2048 }),
    }),
  },
);

export function audioBytes(choice: AudioChoice, valid: Uint8Array): Uint8Array {
  if (choice.kind === 'valid') return valid;
  if (choice.kind === 'noise') return choice.bytes;
  let bytes = valid;
  for (const m of choice.mutations) bytes = applyMutation(bytes, m);
  return bytes;
}

/** A part of a hand-built multipart body. */
interface PartSpec {
  name: string;
  filename: string | null;
  contentType: string | null;
  value: { audio: AudioChoice } | { text: string } | { raw: Uint8Array };
}

const partName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('audio', 'text', 'language', 'format', 'engine') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const partSpec: fc.Arbitrary<PartSpec> = fc.record({
  name: partName,
  filename: fc.option(fc.oneof(fc.constant('a.wav'), fc.string({ maxLength: 40 }))),
  contentType: fc.option(
    fc.constantFrom('audio/wav', 'text/plain', 'application/octet-stream', ''),
  ),
  value: fc.oneof(
    fc.record({ audio: audioChoice }),
    fc.record({ text: fc.oneof(textValue, languageValue, formatValue) }),
    fc.record({ raw: fc.uint8Array({ maxLength: 256 }) }),
  ),
});

/** The fields of a well-formed request, each as a part (mutated below). */
const wellFormedParts = fc
  .record({
    audio: audioChoice,
    text: textValue,
    language: languageValue,
    format: fc.option(formatValue),
  })
  .map(({ audio, text, language, format }): PartSpec[] => [
    { name: 'audio', filename: 'speech.wav', contentType: 'audio/wav', value: { audio } },
    { name: 'text', filename: null, contentType: null, value: { text } },
    { name: 'language', filename: null, contentType: null, value: { text: language } },
    ...(format === null
      ? []
      : [{ name: 'format', filename: null, contentType: null, value: { text: format } }]),
  ]);

/** Body-level damage after the multipart body is built. */
const bodyMutation = fc.option(
  audioMutation.filter((m) => ['bitFlips', 'truncate', 'overwrite', 'spliceCopy'].includes(m.kind)),
  { freq: 2 },
);

const boundary = fc.oneof(
  fc.constant('----falignfuzz7MA4YWxkTrZu0gW'),
  fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/),
);

/** How the Content-Type header relates to the body's real boundary. */
const contentTypeChoice = fc.constantFrom(
  'right',
  'right-quoted',
  'wrong-boundary',
  'no-boundary',
  'text/plain',
  'none',
);

export const multipartRequest = fc
  .record({
    parts: fc.oneof(
      wellFormedParts,
      fc.tuple(wellFormedParts, fc.array(partSpec, { maxLength: 4 })).map(([a, b]) => [...a, ...b]),
      fc.array(partSpec, { maxLength: 6 }),
    ),
    boundary,
    contentType: contentTypeChoice,
    damage: bodyMutation,
    batch: fc.boolean(),
  })
  .map((spec) => ({ type: 'multipart' as const, ...spec }));

export type MultipartSpec = typeof multipartRequest extends fc.Arbitrary<infer T> ? T : never;

function multipartBody(parts: PartSpec[], b: string, validAudio: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    let head = `--${b}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== null) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType !== null) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(enc.encode(`${head}\r\n`));
    const v = p.value;
    chunks.push(
      'audio' in v ? audioBytes(v.audio, validAudio) : 'text' in v ? enc.encode(v.text) : v.raw,
    );
    chunks.push(enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${b}--\r\n`));
  return concat(chunks);
}

export function buildMultipart(spec: MultipartSpec, validAudio: Uint8Array): FuzzRequest {
  let body = multipartBody(spec.parts, spec.boundary, validAudio);
  if (spec.damage) body = applyMutation(body, spec.damage);
  const headers: Record<string, string> = {};
  const type = {
    right: `multipart/form-data; boundary=${spec.boundary}`,
    'right-quoted': `multipart/form-data; boundary="${spec.boundary}"`,
    'wrong-boundary': 'multipart/form-data; boundary=not-the-one',
    'no-boundary': 'multipart/form-data',
    'text/plain': 'text/plain',
    none: null,
  }[spec.contentType];
  if (type !== null) headers['content-type'] = type;
  return { path: spec.batch ? '/api/align/batch' : '/api/align', headers, body };
}

const base64Audio = (choice: AudioChoice, valid: Uint8Array) =>
  Buffer.from(audioBytes(choice, valid)).toString('base64');

/** A JSON value of a request field: the right type or any other. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

const jsonFields = fc.record(
  {
    audio: fc.oneof(
      { weight: 4, arbitrary: audioChoice.map((a) => ({ audio: a })) },
      { weight: 1, arbitrary: anyJson.map((j) => ({ json: j })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ json: s })) },
    ),
    audio_url: fc.constantFrom(...LOOPBACK_URLS),
    text: fc.oneof(textValue, anyJson),
    language: fc.oneof(languageValue, anyJson),
    format: fc.oneof(formatValue, anyJson),
    engine: fc.oneof(engineValue, anyJson),
    webhook_url: fc.constantFrom(...LOOPBACK_URLS),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

export const jsonRequest = fc
  .record({
    doc: fc.oneof(
      { weight: 5, arbitrary: jsonFields.map((fields) => ({ fields })) },
      // Whole random documents: arrays, numbers, nested objects... (keys never name URL fields).
      { weight: 1, arbitrary: anyJson.map((random) => ({ random })) },
    ),
    batch: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 })),
    /** Damage to the serialised text (only for documents without URL fields). */
    damage: bodyMutation,
    contentType: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/x-www-form-urlencoded',
    ),
  })
  .map((spec) => ({ type: 'json' as const, ...spec }));

export type JsonSpec = typeof jsonRequest extends fc.Arbitrary<infer T> ? T : never;

export function buildJson(spec: JsonSpec, validAudio: Uint8Array): FuzzRequest {
  let doc: unknown;
  let hasUrl = false;
  if ('random' in spec.doc) doc = spec.doc.random;
  else {
    const { audio, extra, ...rest } = spec.doc.fields;
    const o: Record<string, unknown> = { ...rest };
    if (audio !== undefined)
      o.audio = 'audio' in audio ? base64Audio(audio.audio, validAudio) : audio.json;
    if (extra !== undefined) o.extra = extra;
    hasUrl = 'audio_url' in o || 'webhook_url' in o;
    doc = o;
  }
  if (spec.batch !== null) doc = { items: Array.from({ length: spec.batch }, () => doc) };
  let body: Uint8Array = enc.encode(JSON.stringify(doc) ?? 'null');
  if (spec.damage && !hasUrl) body = applyMutation(body, spec.damage);
  return {
    path: spec.batch !== null ? '/api/align/batch' : '/api/align',
    headers: { 'content-type': spec.contentType },
    body,
  };
}

/**
 * True when every `scheme://host` in the body names a loopback host: a last guard that the
 * fuzzer never makes a backend reach out of this machine.
 */
export function onlyLoopbackUrls(body: Uint8Array): boolean {
  const text = Buffer.from(body).toString('latin1');
  for (const m of text.matchAll(/:\/\/([^/"\\\s]*)/g)) {
    const host = m[1]!;
    if (!/^(127\.0\.0\.1|\[::1\])(:\d*)?$/.test(host) && host !== '') return false;
  }
  return true;
}
