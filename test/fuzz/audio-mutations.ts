import fc from 'fast-check';
import { type Chunk, splitIntoChunks } from './audio-chunks.ts';

/**
 * One edit of a valid file. Positions are naturals taken modulo the file (or chunk list)
 * length, so a recipe stays small and readable when fast-check prints a counterexample.
 */
export type AudioMutation =
  | { kind: 'bitFlips'; flips: { at: number; bit: number }[]; headerBias: boolean }
  | { kind: 'truncate'; keep: number }
  | { kind: 'sizeLie'; chunk: number; value: number }
  | { kind: 'duplicateChunk'; chunk: number; times: number }
  | { kind: 'dropChunk'; chunk: number }
  | { kind: 'swapChunks'; a: number; b: number }
  | { kind: 'overwrite'; at: number; bytes: number[] }
  | { kind: 'spliceCopy'; from: number; length: number; to: number };

/** Header bytes get most flips: that is where decoders take their decisions. */
const HEADER_BYTES = 256;

const u32Lies = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.nat({ max: 0xffffffff }),
  fc.nat({ max: 4096 }),
);

export const audioMutation: fc.Arbitrary<AudioMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('bitFlips' as const),
    flips: fc.array(fc.record({ at: fc.nat(), bit: fc.nat({ max: 7 }) }), {
      minLength: 1,
      maxLength: 24,
    }),
    headerBias: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('sizeLie' as const), chunk: fc.nat(), value: u32Lies }),
  fc.record({
    kind: fc.constant('duplicateChunk' as const),
    chunk: fc.nat(),
    times: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('dropChunk' as const), chunk: fc.nat() }),
  fc.record({ kind: fc.constant('swapChunks' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    at: fc.nat(),
    bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('spliceCopy' as const),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 4096 }),
    to: fc.nat(),
  }),
);

/** The parts, one after another, in a new array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function writeSize(bytes: Uint8Array, chunk: Chunk, value: number): void {
  const field = chunk.size;
  if (!field || field.offset + field.bytes > bytes.length) return;
  const masked = field.bytes === 4 ? value >>> 0 : value % 2 ** (8 * field.bytes);
  for (let i = 0; i < field.bytes; i++) {
    const shift = 8 * (field.order === 'le' ? i : field.bytes - 1 - i);
    bytes[field.offset + i] = Math.floor(masked / 2 ** shift) & 0xff;
  }
}

/** Applies one mutation; returns a new array (the input is never modified). */
export function applyMutation(input: Uint8Array, m: AudioMutation): Uint8Array {
  const n = input.length;
  if (n === 0) return input.slice();
  const chunks = splitIntoChunks(input);
  const pick = (i: number) => chunks[i % chunks.length]!;
  const piece = (c: Chunk) => input.subarray(c.start, c.end);
  switch (m.kind) {
    case 'bitFlips': {
      const out = input.slice();
      const span = m.headerBias ? Math.min(n, HEADER_BYTES) : n;
      for (const f of m.flips) out[f.at % span]! ^= 1 << f.bit;
      return out;
    }
    case 'truncate':
      return input.slice(0, m.keep % n);
    case 'sizeLie': {
      const out = input.slice();
      writeSize(out, pick(m.chunk), m.value);
      return out;
    }
    case 'duplicateChunk': {
      const c = pick(m.chunk);
      const copies = Array.from({ length: m.times }, () => piece(c));
      return concat([input.subarray(0, c.end), ...copies, input.subarray(c.end)]);
    }
    case 'dropChunk': {
      const c = pick(m.chunk);
      return concat([input.subarray(0, c.start), input.subarray(c.end)]);
    }
    case 'swapChunks': {
      const [x, y] = [pick(m.a), pick(m.b)].sort((p, q) => p.start - q.start) as [Chunk, Chunk];
      if (x === y || x.end > y.start) return input.slice();
      return concat([
        input.subarray(0, x.start),
        piece(y),
        input.subarray(x.end, y.start),
        piece(x),
        input.subarray(y.end),
      ]);
    }
    case 'overwrite': {
      const out = input.slice();
      const at = m.at % n;
      out.set(m.bytes.slice(0, n - at), at);
      return out;
    }
    case 'spliceCopy': {
      const from = m.from % n;
      const copy = input.subarray(from, Math.min(n, from + m.length));
      const to = m.to % (n + 1);
      return concat([input.subarray(0, to), copy, input.subarray(to)]);
    }
  }
}

/** Magic numbers that get random bytes past the format sniffer into each decoder. */
export const MAGIC_PREFIXES: readonly (readonly number[])[] = [
  [],
  [...'RIFF']
    .map((c) => c.charCodeAt(0))
    .concat(
      [0x24, 0, 0, 0],
      [...'WAVE'].map((c) => c.charCodeAt(0)),
    ),
  [...'RF64']
    .map((c) => c.charCodeAt(0))
    .concat(
      [0xff, 0xff, 0xff, 0xff],
      [...'WAVE'].map((c) => c.charCodeAt(0)),
    ),
  [...'fLaC'].map((c) => c.charCodeAt(0)),
  [...'OggS'].map((c) => c.charCodeAt(0)).concat([0, 2]),
  [...'ID3'].map((c) => c.charCodeAt(0)).concat([4, 0, 0, 0, 0, 0, 0]),
  [0xff, 0xfb, 0x90, 0x64],
  [0xff, 0xf3, 0x48, 0xc4],
];
