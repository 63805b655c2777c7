import type { onnx as OnnxTypes } from 'onnx-proto';
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: its namespace only arrives as the module's default.
const { onnx } = onnxProto;

export type AttributeValue = number | number[] | string;

/** Which attributes are floats: ONNX types them, JavaScript numbers do not say. */
export interface NodeOptions {
  attributes?: Record<string, AttributeValue>;
  floatAttributes?: readonly string[];
}

/**
 * A minimal writer of ONNX graphs: float32 and int64 initialisers, nodes, one float input and
 * output with a symbolic batch dimension. Enough to express a small fixed convolutional network.
 */
export class OnnxGraphBuilder {
  readonly #nodes: OnnxTypes.INodeProto[] = [];
  readonly #initialisers: OnnxTypes.ITensorProto[] = [];
  readonly #names = new Set<string>();
  #counter = 0;

  /** A fresh value name with the given stem. */
  name(stem: string): string {
    let n = stem;
    while (this.#names.has(n)) n = `${stem}_${++this.#counter}`;
    this.#names.add(n);
    return n;
  }

  floatTensor(stem: string, dims: readonly number[], data: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected)
      throw new RangeError(`${stem}: ${data.length} values for dims [${dims.join(', ')}]`);
    const name = this.name(stem);
    const raw = new Uint8Array(data.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
    this.#initialisers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: raw,
    });
    return name;
  }

  int64Tensor(stem: string, values: readonly number[]): string {
    const name = this.name(stem);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => {
      view.setBigInt64(i * 8, BigInt(v), true);
    });
    this.#initialisers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: raw,
    });
    return name;
  }

  /** Adds a node with one output and returns that output's name. */
  node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string {
    const output = this.name(opType.toLowerCase());
    const floats = new Set(options.floatAttributes ?? []);
    const attribute = Object.entries(options.attributes ?? {}).map(([name, v]) => attr(name, v, floats));
    this.#nodes.push({ opType, input: [...inputs], output: [output], name: output, attribute });
    return output;
  }

  /** Renames a node's output, e.g. to give the graph output a stable name. */
  rename(from: string, to: string): void {
    for (const n of this.#nodes) {
      n.output = (n.output ?? []).map((o) => (o === from ? to : o));
      n.input = (n.input ?? []).map((i) => (i === from ? to : i));
    }
    this.#names.add(to);
  }

  /** Serialises the model; the first dimension of the input and output is the symbolic "N". */
  build(spec: {
    input: { name: string; dims: readonly number[] };
    output: { name: string; dims: readonly number[] };
    opset: number;
    producer: string;
    docString?: string;
  }): Uint8Array {
    const valueInfo = (name: string, dims: readonly number[]): OnnxTypes.IValueInfoProto => ({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimParam: 'N' }, ...dims.map((d) => ({ dimValue: d }))] },
        },
      },
    });
    const model: OnnxTypes.IModelProto = {
      irVersion: 7,
      producerName: spec.producer,
      docString: spec.docString ?? null,
      opsetImport: [{ domain: '', version: spec.opset }],
      graph: {
        name: spec.producer,
        node: this.#nodes,
        initializer: this.#initialisers,
        input: [valueInfo(spec.input.name, spec.input.dims)],
        output: [valueInfo(spec.output.name, spec.output.dims)],
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

const attr = (name: string, v: AttributeValue, floats: ReadonlySet<string>): OnnxTypes.IAttributeProto => {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v))
    return floats.has(name) ? { name, type: T.FLOATS, floats: v } : { name, type: T.INTS, ints: v };
  return floats.has(name) ? { name, type: T.FLOAT, f: v } : { name, type: T.INT, i: v };
};
