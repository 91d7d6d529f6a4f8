import { DType, type GraphBuilder } from './onnx-graph.ts';
import type { SafetensorsFile } from './safetensors.ts';

/** How weights are stored on disk; compute is float32 either way. */
export type StorageDtype = 'fp32' | 'fp16';

/**
 * Moves checkpoint tensors into a graph's external data: float32 as is, or float16 followed by
 * a `Cast` to float32 (halves the file; onnxruntime folds the cast at load time on CPU).
 */
export class WeightStore {
  constructor(
    private readonly graph: GraphBuilder,
    private readonly file: SafetensorsFile,
    private readonly dtype: StorageDtype,
  ) {}

  has(name: string): boolean {
    return this.file.has(name);
  }

  /** A tensor exactly as stored (shape from the file unless `dims` is given). */
  tensor(name: string, dims?: number[]): string {
    const data = this.file.readFloat32(name);
    return this.put(name, data, dims ?? this.file.entry(name).shape);
  }

  /** A Linear weight [out, in] transposed to [in, out], ready for MatMul(x, W). */
  linear(name: string): string {
    const [rows, cols] = this.file.entry(name).shape as [number, number];
    const data = this.file.readFloat32(name);
    const t = new Float32Array(data.length);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) t[c * rows + r] = data[base + c]!;
    }
    return this.put(`${name}.T`, t, [cols, rows]);
  }

  private put(name: string, data: Float32Array, dims: number[]): string {
    if (this.dtype === 'fp32') {
      return this.graph.weight(name, new Uint8Array(data.buffer), dims, DType.float);
    }
    const half = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) half[i] = floatToHalf(data[i]!);
    const stored = this.graph.weight(
      `${name}.f16`,
      new Uint8Array(half.buffer),
      dims,
      DType.float16,
    );
    return this.graph.op('Cast', [stored], { to: DType.float }, name);
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE float16 bits, round to nearest even. */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h += 1;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h += 1;
  e = h >> 10;
  return sign | h;
}
