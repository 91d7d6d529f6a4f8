import { Busboy } from '@fastify/busboy';
import { ProblemError } from '../../shared/problem.ts';

/** Bounds on a multipart body's shape (its byte size is capped before parsing). */
export interface MultipartLimits {
  /** Parts of any kind. */
  maxParts: number;
  /** Bytes of one text field. */
  maxFieldBytes: number;
}

/** A file part (one with a filename), its bytes as sent. */
export interface FilePart {
  filename: string;
  type: string;
  bytes: Uint8Array;
}

/** One part's value: a text field's string, or a file part. */
export type MultipartValue = string | FilePart;

/**
 * The parsed parts of a multipart body, by name and in order, like FormData's get/getAll but
 * with a file's bytes in a Uint8Array: a File would copy a minute of audio into a Blob, and
 * reading it back would copy it out again.
 */
export class MultipartForm {
  private readonly parts = new Map<string, MultipartValue[]>();

  append(name: string, value: MultipartValue): void {
    const list = this.parts.get(name);
    if (list) list.push(value);
    else this.parts.set(name, [value]);
  }

  /** The first value of `name`, or null. */
  get(name: string): MultipartValue | null {
    return this.parts.get(name)?.[0] ?? null;
  }

  /** Every value of `name`, in body order. */
  getAll(name: string): MultipartValue[] {
    return this.parts.get(name) ?? [];
  }
}

/** Busboy's part buffer: a larger single write hangs on a skipped part (64 KB does). */
const WRITE_SLICE_BYTES = 16 * 1024;

const DEFAULT_LIMITS: MultipartLimits = { maxParts: 2000, maxFieldBytes: 16 * 1024 * 1024 };

/**
 * Parses a multipart/form-data body (read whole, see readRequestBody; its size is capped by the
 * body-limit middleware) with @fastify/busboy; Request.formData() (undici) or busboy fed
 * through a web-stream adapter took 25-50 ms for 2 MB here. Fields arrive as UTF-8 strings
 * (invalid bytes become U+FFFD, which callers refuse); file parts keep their bytes.
 * Malformed bodies are a 400 problem.
 *
 * @example
 * ```ts
 * const form = await parseMultipartForm(c.req.header('content-type') ?? '', bytes);
 * const audio = form.get('audio'); // FilePart | string | null
 * ```
 */
export async function parseMultipartForm(
  contentType: string,
  bytes: Uint8Array,
  limits: MultipartLimits = DEFAULT_LIMITS,
): Promise<MultipartForm> {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (body.length === 0) throw new ProblemError('badRequest', 'the multipart body is empty');
  let busboy: InstanceType<typeof Busboy>;
  try {
    busboy = new Busboy({
      headers: { 'content-type': contentType },
      limits: { parts: limits.maxParts, fieldSize: limits.maxFieldBytes },
      defCharset: 'utf8',
    });
  } catch (err) {
    throw new ProblemError(
      'badRequest',
      `the multipart body cannot be parsed: ${(err as Error).message}`,
    );
  }
  const form = new MultipartForm();
  const pending: Promise<void>[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const fail = (detail: string) => reject(new ProblemError('badRequest', detail));
    busboy.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) fail(`field "${name}" is over ${limits.maxFieldBytes} bytes`);
      else form.append(name, value);
    });
    busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
      // The slot is appended now so that parts keep their order in the body.
      const slot: FilePart = {
        filename: filename || name,
        type: mimeType,
        bytes: new Uint8Array(),
      };
      form.append(name, slot);
      const part = new Promise<void>((ok, bad) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err: Error) =>
          bad(new ProblemError('badRequest', `the multipart body is malformed: ${err.message}`)),
        );
        stream.on('end', () => {
          slot.bytes = joinChunks(body, chunks);
          ok();
        });
      });
      // A body that ends inside a file part rejects `done` too, and only that one is awaited:
      // an unobserved rejection here would take the whole process down (found by test/fuzz).
      part.catch(() => {});
      pending.push(part);
    });
    busboy.on('partsLimit', () => fail(`the body has more than ${limits.maxParts} parts`));
    busboy.on('error', (err: Error) => fail(`the multipart body is malformed: ${err.message}`));
    busboy.on('finish', () => resolve());
  });
  // In 16 KB slices: fed more than its 16 KB part buffer of a part it skips (no
  // Content-Disposition) in one write, busboy never finishes and the request would hang
  // (found by test/fuzz).
  for (let at = 0; at < body.length; at += WRITE_SLICE_BYTES) {
    busboy.write(body.subarray(at, at + WRITE_SLICE_BYTES));
  }
  busboy.end();
  await done;
  await Promise.all(pending);
  return form;
}

/**
 * The bytes of a file part from busboy's chunks. Busboy hands out views of the body it is fed,
 * so a part normally lies whole inside `body` and is returned as a view of it, without copying
 * a minute of audio again; a chunk busboy had to copy (its boundary look-behind) is accepted
 * when it holds the same bytes as the body at that place. Otherwise, the chunks are joined.
 */
function joinChunks(body: Buffer, chunks: Buffer[]): Uint8Array {
  // Plain Uint8Array views, never Buffers: decoders rely on slice() copying.
  const view = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (chunks.length === 0) return new Uint8Array();
  const offsetIn = (c: Buffer) => (c.buffer === body.buffer ? c.byteOffset - body.byteOffset : -1);
  const start = offsetIn(chunks[0]!);
  if (start < 0) return view(Buffer.concat(chunks));
  let end = start;
  for (const c of chunks) {
    if (offsetIn(c) !== end && !body.subarray(end, end + c.length).equals(c)) {
      return view(Buffer.concat(chunks));
    }
    end += c.length;
  }
  return view(body.subarray(start, end));
}
