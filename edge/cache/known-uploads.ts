import { LRUCache } from 'lru-cache';
import { sha256Hex } from '../../shared/api-keys.ts';

/** Byte positions sampled before a full comparison: WAVs of one length share their header. */
const PROBES = 16;

/**
 * The SHA-256 of uploads this isolate has seen, with a copy of their bytes, so a repeated
 * upload gets its hash by comparing bytes (one native comparison) instead of hashing them
 * again. It is what keeps a cache hit held in the isolate cheap: the cache key needs the
 * audio's hash, and without this a hit would hash the whole upload every time.
 *
 * Exact byte equality, so the hash it returns is the one hashing would return. Bounded by
 * bytes and count; an upload over `maxUploadBytes` is never kept (it is hashed every time).
 *
 * @example
 * const uploads = new KnownUploads();
 * const sha = await uploads.sha256(audio); // hashes: first time this upload is seen
 * uploads.remember(audio, sha);            // once a result for it is held in the isolate
 * await uploads.sha256(audio);             // compares bytes, no hashing
 */
export class KnownUploads {
  readonly #kept: LRUCache<string, KeptUpload>;
  /** Hashes of the kept uploads by byte length: only same-length uploads can be equal. */
  readonly #byLength = new Map<number, Set<string>>();
  /**
   * Uploads found by `partLength` in a request body (by its buffer and offset), so `find` need
   * not compare them again. Request bodies are never written to once read.
   */
  readonly #matched = new WeakMap<ArrayBufferLike, Map<number, { length: number; sha: string }>>();

  /**
   * The defaults stay small beside the isolate's 128 MB, which also holds the bodies of the
   * requests in flight (up to MAX_SYNC_BODY_BYTES each); 4 MB covers two minutes of 16 kHz
   * 16-bit WAV.
   */
  constructor(maxBytes = 8 * 1024 * 1024, maxUploadBytes = 4 * 1024 * 1024, maxUploads = 256) {
    this.#kept = new LRUCache<string, KeptUpload>({
      max: maxUploads,
      maxSize: maxBytes,
      maxEntrySize: maxUploadBytes,
      sizeCalculation: (k) => Math.max(1, k.bytes.byteLength),
      dispose: (k, sha) => {
        const shas = this.#byLength.get(k.bytes.byteLength);
        shas?.delete(sha);
        if (shas?.size === 0) this.#byLength.delete(k.bytes.byteLength);
      },
    });
  }

  /**
   * For a multipart parser (`KnownPartLength`): when the part starting at `start` is a kept
   * upload followed by CRLF + `delimiter`, its length, so the parser need not scan the upload
   * for the delimiter. Exact: the bytes are compared, and the places in the kept upload where
   * a delimiter could start (`--`) are checked for this request's delimiter.
   */
  partLength = (body: Uint8Array, start: number, delimiter: Uint8Array): number | null => {
    for (const [length, shas] of this.#byLength) {
      const end = start + length;
      if (body[end] !== 13 || body[end + 1] !== 10 || body[end + 2] !== delimiter[0]) continue;
      const part = body.subarray(start, end);
      for (const sha of shas) {
        const kept = this.#kept.peek(sha);
        if (!kept || !sameBytes(kept.bytes, part) || holdsDelimiter(kept, body, start, delimiter)) {
          continue;
        }
        this.#kept.get(sha); // refreshes its place in the LRU
        const found = this.#matched.get(body.buffer) ?? new Map();
        found.set(body.byteOffset + start, { length, sha });
        this.#matched.set(body.buffer, found);
        return length;
      }
    }
    return null;
  };

  /** The upload's SHA-256 (hex): from a kept identical upload, or by hashing it. */
  async sha256(upload: Uint8Array): Promise<string> {
    return this.find(upload) ?? sha256Hex(upload);
  }

  /** The SHA-256 of a kept upload byte-identical to `upload`, or null. */
  find(upload: Uint8Array): string | null {
    const matched = this.#matched.get(upload.buffer)?.get(upload.byteOffset);
    if (matched?.length === upload.byteLength) return matched.sha;
    const shas = this.#byLength.get(upload.byteLength);
    if (!shas) return null;
    for (const sha of shas) {
      const kept = this.#kept.peek(sha);
      if (kept && sameBytes(kept.bytes, upload)) {
        this.#kept.get(sha); // refreshes its place in the LRU
        return sha;
      }
    }
    return null;
  }

  /** Keeps a copy of `upload` (whose SHA-256 is `sha`), unless it is over the size bound. */
  remember(upload: Uint8Array, sha: string): void {
    if (this.#kept.has(sha)) return;
    const bytes = upload.slice();
    this.#kept.set(sha, { bytes, dashes: dashPairs(bytes) });
    if (this.#kept.has(sha)) {
      const shas = this.#byLength.get(upload.byteLength) ?? new Set<string>();
      shas.add(sha);
      this.#byLength.set(upload.byteLength, shas);
    }
  }
}

/** A kept upload: a copy of its bytes and where in them `--` occurs. */
interface KeptUpload {
  bytes: Uint8Array;
  /** Offsets of every `--` (where a multipart delimiter inside the upload would start). */
  dashes: Int32Array;
}

function dashPairs(bytes: Uint8Array): Int32Array {
  const at: number[] = [];
  for (let i = bytes.indexOf(45); i !== -1 && i + 1 < bytes.length; i = bytes.indexOf(45, i + 1)) {
    if (bytes[i + 1] === 45) at.push(i);
  }
  return Int32Array.from(at);
}

/** Whether `delimiter` starts anywhere inside the kept upload as it sits in `body` at `start`. */
function holdsDelimiter(
  kept: KeptUpload,
  body: Uint8Array,
  start: number,
  delimiter: Uint8Array,
): boolean {
  for (const at of kept.dashes) {
    let i = 0;
    while (i < delimiter.length && body[start + at + i] === delimiter[i]) i++;
    if (i === delimiter.length) return true;
  }
  return false;
}

/** Byte equality of two same-length arrays: a few sampled bytes first, then all of them. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const step = Math.max(1, Math.floor(a.byteLength / PROBES));
  for (let i = a.byteLength - 1; i >= 0; i -= step) if (a[i] !== b[i]) return false;
  // Workers' native comparison (constant time, so it reads every byte: no early exit, which the
  // samples above mostly provide). Other runtimes compare in JS.
  const subtle = crypto.subtle as SubtleCrypto & {
    timingSafeEqual?: (x: ArrayBufferView, y: ArrayBufferView) => boolean;
  };
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(a, b);
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
