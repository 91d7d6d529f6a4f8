import { create, toBinary } from '@bufbuild/protobuf';
import {
  type AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from 'onnx-buf';
import type { ExternalDataWriter } from './external-data.ts';

/** ONNX element types the graphs use. */
export const DType = {
  float: TensorProto_DataType.FLOAT,
  float16: TensorProto_DataType.FLOAT16,
  int64: TensorProto_DataType.INT64,
} as const;
export type DTypeCode = (typeof DType)[keyof typeof DType];

/** A float attribute (plain numbers are integer attributes). */
export interface FloatAttr {
  float: number;
}
export type AttrValue = number | FloatAttr | number[] | string | TensorProto;

/** A dimension: a fixed size, or a named symbolic (dynamic) one. */
export type Dim = number | string;

/** IR 11 / opset 23: the first with RMSNormalization; ORT 1.30 accepts up to IR 13 / opset 26. */
export const IR_VERSION = 11n;
export const OPSET = 23n;

/**
 * Accumulates one ONNX graph: inputs, outputs, nodes and initializers (large ones go to an
 * external data file through `ExternalDataWriter`). Value names are generated unless given.
 */
export class GraphBuilder {
  private readonly nodes: ReturnType<typeof create<typeof NodeProtoSchema>>[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly weights?: ExternalDataWriter,
  ) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, type: DTypeCode, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: DTypeCode, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a node; returns its output names. */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: { outputs?: number | string[]; name?: string } = {},
  ): string[] {
    const outs = Array.isArray(opts.outputs)
      ? opts.outputs
      : Array.from({ length: opts.outputs ?? 1 }, () => this.fresh(op.toLowerCase()));
    this.nodes.push(
      create(NodeProtoSchema, {
        opType: op,
        input: inputs,
        output: outs,
        name: opts.name ?? this.fresh(`n_${op}`),
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** Adds a single-output node and returns that output's name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    return this.node(op, inputs, attrs, out ? { outputs: [out] } : {})[0]!;
  }

  /** A small constant stored inside the model file. */
  constFloat(values: ArrayLike<number>, dims: number[], prefix = 'const'): string {
    const name = this.fresh(prefix);
    const data = Float32Array.from(values);
    this.initializers.push(
      create(TensorProtoSchema, {
        name,
        dims: dims.map(BigInt),
        dataType: DType.float,
        rawData: new Uint8Array(data.buffer.slice(0)) as Uint8Array<ArrayBuffer>,
      }),
    );
    return name;
  }

  constInt64(
    values: ArrayLike<number>,
    dims: number[] = [values.length],
    prefix = 'const',
  ): string {
    const name = this.fresh(prefix);
    const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    this.initializers.push(
      create(TensorProtoSchema, {
        name,
        dims: dims.map(BigInt),
        dataType: DType.int64,
        rawData: new Uint8Array(data.buffer.slice(0)) as Uint8Array<ArrayBuffer>,
      }),
    );
    return name;
  }

  /** A weight written to the external data file; `dataType` says how `bytes` are encoded. */
  weight(name: string, bytes: Uint8Array, dims: number[], dataType: DTypeCode): string {
    if (!this.weights) throw new Error(`graph ${this.name} has no external data file`);
    const { location, offset, length } = this.weights.append(bytes);
    this.initializers.push(
      create(TensorProtoSchema, {
        name,
        dims: dims.map(BigInt),
        dataType,
        dataLocation: TensorProto_DataLocation.EXTERNAL,
        externalData: [
          create(StringStringEntryProtoSchema, { key: 'location', value: location }),
          create(StringStringEntryProtoSchema, { key: 'offset', value: String(offset) }),
          create(StringStringEntryProtoSchema, { key: 'length', value: String(length) }),
        ],
      }),
    );
    return name;
  }

  /** Serialises the model (`ModelProto`) to protobuf bytes. */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    const graph = create(GraphProtoSchema, {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = create(ModelProtoSchema, {
      irVersion: IR_VERSION,
      producerName: 'falign',
      producerVersion: '1',
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: OPSET })],
      graph,
      metadataProps: Object.entries(metadata).map(([key, value]) =>
        create(StringStringEntryProtoSchema, { key, value }),
      ),
    });
    return toBinary(ModelProtoSchema, model);
  }
}

function valueInfo(name: string, type: DTypeCode, dims: Dim[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: type,
          shape: create(TensorShapeProtoSchema, {
            dim: dims.map((d) =>
              create(TensorShapeProto_DimensionSchema, {
                value:
                  typeof d === 'number'
                    ? { case: 'dimValue', value: BigInt(d) }
                    : { case: 'dimParam', value: d },
              }),
            ),
          }),
        }),
      },
    }),
  });
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') {
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.INT,
      i: BigInt(v),
    });
  }
  if (typeof v === 'string') {
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.STRING,
      s: new TextEncoder().encode(v) as Uint8Array<ArrayBuffer>,
    });
  }
  if (Array.isArray(v)) {
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.INTS,
      ints: v.map(BigInt),
    });
  }
  if ('float' in v) {
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.FLOAT,
      f: v.float,
    });
  }
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.TENSOR, t: v });
}

/** A tensor value for attributes such as ConstantOfShape's `value`. */
export function scalarTensor(value: number, dataType: DTypeCode = DType.float): TensorProto {
  const data =
    dataType === DType.int64 ? new BigInt64Array([BigInt(value)]) : new Float32Array([value]);
  return create(TensorProtoSchema, {
    dims: [1n],
    dataType,
    rawData: new Uint8Array(data.buffer.slice(0)) as Uint8Array<ArrayBuffer>,
  });
}
