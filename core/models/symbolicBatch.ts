import type { onnx as OnnxTypes } from 'onnx-proto';
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: its namespace only arrives as the module's default.
const { onnx } = onnxProto;
type TensorProto = OnnxTypes.ITensorProto;

/**
 * Rewrites an ONNX model so its batch dimension is symbolic ("N"): the shipped models have
 * batch 1 baked in, and batching several faces or tiles per call is what makes inference cheap.
 * Constant Reshape targets that pin the batch to 1 become 0 ("copy the input's dimension").
 */
export const makeBatchSymbolic = (model: Uint8Array): Uint8Array => {
  const proto = onnx.ModelProto.decode(model);
  const graph = proto.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const initialisers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  // Older opsets list initialisers among the inputs too; only real inputs get a batch dimension.
  const inputs = (graph.input ?? []).filter((v) => !initialisers.has(v.name ?? ''));
  for (const value of [...inputs, ...(graph.output ?? [])]) {
    const dim = value.type?.tensorType?.shape?.dim?.[0];
    if (dim) {
      dim.dimValue = null;
      dim.dimParam = 'N';
    }
  }
  // Shape inference results (value_info) would still claim batch 1 for intermediates.
  graph.valueInfo = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Reshape') continue;
    const target = initialisers.get(node.input?.[1] ?? '');
    if (!target) continue;
    const dims = readInt64s(target);
    if (dims.length >= 2 && dims[0] === 1) {
      dims[0] = 0;
      writeInt64s(target, dims);
    }
  }
  return onnx.ModelProto.encode(proto).finish();
};

const readInt64s = (t: TensorProto): number[] => {
  if (t.int64Data && t.int64Data.length > 0) return t.int64Data.map(Number);
  const raw = t.rawData;
  if (!raw) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= raw.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
  return out;
};

const writeInt64s = (t: TensorProto, values: number[]): void => {
  if (t.int64Data && t.int64Data.length > 0) {
    t.int64Data = values;
    return;
  }
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    view.setBigInt64(i * 8, BigInt(v), true);
  });
  t.rawData = raw;
};
