/** One part of a multipart/form-data body: a view into the buffered body, not a copy. */
export interface MultipartPart {
  name: string;
  filename: string | null;
  data: Uint8Array;
}

const CRLF_CRLF = [13, 10, 13, 10];
const latin1 = new TextDecoder('latin1');
const utf8 = new TextEncoder();

function indexOf(
  haystack: Uint8Array,
  needle: readonly number[] | Uint8Array,
  from: number,
): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i !== -1; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * A Boyer-Moore-Horspool search for one needle: it skips up to the needle's length per step,
 * so finding the delimiter after a 200 KB audio part takes a few thousand steps instead of a
 * call per byte that happens to equal the needle's first (e.g. every `-` in the audio).
 */
class BytesFinder {
  readonly #needle: Uint8Array;
  readonly #skip = new Uint8Array(256);

  constructor(needle: Uint8Array) {
    this.#needle = needle;
    const last = needle.length - 1;
    this.#skip.fill(Math.min(255, needle.length));
    for (let i = 0; i < last; i++) this.#skip[needle[i]!] = Math.min(255, last - i);
  }

  indexIn(haystack: Uint8Array, from: number): number {
    const needle = this.#needle;
    const skip = this.#skip;
    const last = needle.length - 1;
    const lastByte = needle[last]!;
    for (let i = from; i + last < haystack.length; ) {
      const b = haystack[i + last]!;
      if (b === lastByte) {
        let j = last - 1;
        while (j >= 0 && haystack[i + j] === needle[j]) j--;
        if (j < 0) return i;
      }
      i += skip[b]!;
    }
    return -1;
  }
}

/** Where the delimiter after a part of known length starts, when it is really there. */
function knownEnd(
  body: Uint8Array,
  dataStart: number,
  delimiter: Uint8Array,
  knownPartLength: KnownPartLength | undefined,
): number | null {
  const length = knownPartLength?.(body, dataStart, delimiter);
  if (length === null || length === undefined) return null;
  const next = dataStart + length + 2;
  if (body[next - 2] !== 13 || body[next - 1] !== 10 || next + delimiter.length > body.length) {
    return null;
  }
  for (let i = 0; i < delimiter.length; i++) if (body[next + i] !== delimiter[i]) return null;
  return next;
}

/** The boundary from a `multipart/form-data; boundary=...` content type, or null. */
export function multipartBoundary(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/**
 * A part's data length known without scanning for the next delimiter: given where the data
 * starts, a length after which CRLF + delimiter may follow, and which the caller guarantees
 * holds no occurrence of the delimiter (so scanning would have found that same end). Null:
 * not known, scan.
 */
export type KnownPartLength = (
  body: Uint8Array,
  start: number,
  delimiter: Uint8Array,
) => number | null;

/**
 * Splits a buffered multipart/form-data body into parts without copying them. The edge only
 * needs a few fields (audio, text, language, ...) to compute the cache key; `Request.formData()`
 * would copy the audio a second time. Returns null when the body is not well-formed (the region
 * then answers with the exact error).
 */
export function parseMultipart(
  body: Uint8Array,
  boundary: string,
  knownPartLength?: KnownPartLength,
): MultipartPart[] | null {
  const delimiter = utf8.encode(`--${boundary}`);
  const finder = new BytesFinder(delimiter);
  let pos = finder.indexIn(body, 0);
  if (pos === -1) return null;
  const parts: MultipartPart[] = [];
  for (;;) {
    pos += delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[pos] === 45 && body[pos + 1] === 45) return parts;
    const headersStart = pos + 2;
    const headersEnd = indexOf(body, CRLF_CRLF, headersStart);
    if (headersEnd === -1) return null;
    const headers = latin1.decode(body.subarray(headersStart, headersEnd));
    const dataStart = headersEnd + 4;
    const next =
      knownEnd(body, dataStart, delimiter, knownPartLength) ?? finder.indexIn(body, dataStart);
    if (next === -1) return null;
    // The part's data ends before the CRLF that precedes the next delimiter.
    const dataEnd = next - 2;
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined && dataEnd >= dataStart) {
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
      parts.push({ name, filename, data: body.subarray(dataStart, dataEnd) });
    }
    pos = next;
  }
}
