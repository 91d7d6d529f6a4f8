import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';

/** Offsets are page-aligned so onnxruntime can memory-map each initializer. */
const ALIGN = 4096;

/**
 * Appends initializer bytes to one external data file beside the model (ONNX external data:
 * `location` relative to the model file, `offset`, `length`). Several graphs may share one.
 */
export class ExternalDataWriter {
  private readonly fd: number;
  private offset = 0;
  readonly location: string;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.location = basename(path);
  }

  append(bytes: Uint8Array): { location: string; offset: number; length: number } {
    const start = Math.ceil(this.offset / ALIGN) * ALIGN;
    let done = 0;
    while (done < bytes.byteLength) {
      done += writeSync(this.fd, bytes, done, bytes.byteLength - done, start + done);
    }
    this.offset = start + bytes.byteLength;
    return { location: this.location, offset: start, length: bytes.byteLength };
  }

  get size(): number {
    return this.offset;
  }

  close(): void {
    closeSync(this.fd);
  }
}
