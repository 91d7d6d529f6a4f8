import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Element types a safetensors file may hold that this reader converts to float32. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

/** Raised for a file that is not a safetensors file this reader understands. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/**
 * Reads tensors from a `.safetensors` file one at a time, without loading the whole file:
 * the header is parsed once, each tensor is read from disk when asked for.
 */
export class SafetensorsFile {
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Record<string, string>;
  readonly byteLength: number;
  private readonly fd: number;
  private readonly dataStart: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.byteLength = fstatSync(this.fd).size;
      const lenBuf = Buffer.alloc(8);
      readSync(this.fd, lenBuf, 0, 8, 0);
      const headerLen = Number(lenBuf.readBigUInt64LE(0));
      if (headerLen <= 0 || headerLen + 8 > this.byteLength) {
        throw new SafetensorsError(`${path}: not a safetensors file (header length ${headerLen})`);
      }
      const header = Buffer.alloc(headerLen);
      readSync(this.fd, header, 0, headerLen, 8);
      this.dataStart = 8 + headerLen;
      const parsed = JSON.parse(header.toString('utf8')) as Record<string, unknown>;
      const entries = new Map<string, SafetensorsEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, raw] of Object.entries(parsed)) {
        if (name === '__metadata__') {
          metadata = (raw ?? {}) as Record<string, string>;
          continue;
        }
        const e = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
        if (!(e.dtype in BYTES)) {
          throw new SafetensorsError(`${path}: tensor ${name} has unsupported dtype ${e.dtype}`);
        }
        const dtype = e.dtype as SafetensorsDtype;
        const [begin, end] = e.data_offsets;
        const count = e.shape.reduce((a, b) => a * b, 1);
        if (end - begin !== count * BYTES[dtype] || this.dataStart + end > this.byteLength) {
          throw new SafetensorsError(`${path}: tensor ${name} has inconsistent offsets`);
        }
        entries.set(name, { name, dtype, shape: e.shape, begin, end });
      }
      this.entries = entries;
      this.metadata = metadata;
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  entry(name: string): SafetensorsEntry {
    const e = this.entries.get(name);
    if (!e) throw new SafetensorsError(`${this.path}: tensor ${name} is missing`);
    return e;
  }

  /** The stored bytes of one tensor, as on disk (little-endian). */
  readRaw(name: string): Buffer {
    const e = this.entry(name);
    const buf = Buffer.allocUnsafe(e.end - e.begin);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, this.dataStart + e.begin + done);
      if (n <= 0) throw new SafetensorsError(`${this.path}: short read in ${name}`);
      done += n;
    }
    return buf;
  }

  /** One tensor converted exactly to float32 (bf16 and f16 widen without rounding). */
  readFloat32(name: string): Float32Array {
    const e = this.entry(name);
    return toFloat32(this.readRaw(name), e.dtype);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Widens little-endian F32/F16/BF16 bytes to a Float32Array. */
export function toFloat32(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  if (dtype === 'F32') {
    const out = new Float32Array(raw.byteLength / 4);
    new Uint8Array(out.buffer).set(raw);
    return out;
  }
  const n = raw.byteLength / 2;
  const halves = new Uint16Array(n);
  new Uint8Array(halves.buffer).set(raw);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = halves[i]! << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = halfToFloat(halves[i]!);
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
