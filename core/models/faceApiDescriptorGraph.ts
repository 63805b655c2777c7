import { ModelError } from '../errors.js';
import { DESCRIPTOR_DIM } from './descriptorDim.js';
import { OnnxGraphBuilder } from './onnxGraphBuilder.js';
import type { NamedTensor } from './tfjsWeights.js';

/**
 * face-api.js's face recognition net (FaceRecognitionNet: the dlib ResNet-29 descriptor ported to
 * tfjs, 128-d) written as an ONNX graph, from @vladmandic/face-api's
 * src/faceRecognitionNet/{FaceRecognitionNet,convLayer,residualLayer,scaleLayer}.ts:
 *
 *   x = (rgb - [122.782, 117.001, 104.298]) / 255          (150x150, RGB, 0..255)
 *   convDown 7x7/2 valid (32) → maxPool 3/2 valid
 *   residual x3 (32) → residualDown (64) + residual x3 → residualDown (128) + residual x2
 *   → residualDown (256) + residual x2 → residualDown (256) → mean over H, W → matMul fc (256x128)
 *
 * A conv layer is conv2d + bias, then a per-channel scale layer (x * w + b), then ReLU unless it is
 * the second of a residual block; here bias and scale are folded into the convolution (W·s,
 * b·s + t). residualDown adds a 2x2/2 average pool of its input, zero-padded in channels, and
 * zero-pads the conv branch by a bottom row and right column where the two disagree in size
 * (8 → 3 vs 4, 4 → 1 vs 2), exactly as face-api does. Input NCHW [N, 3, 150, 150] of raw 0..255
 * RGB values; output [N, 128], not normalised.
 */
export const DESCRIPTOR_INPUT_SIZE = 150;
export const DESCRIPTOR_MEAN_RGB = [122.782, 117.001, 104.298] as const;
export const DESCRIPTOR_SCALE = 255;
export const DESCRIPTOR_INPUT_NAME = 'input';
export const DESCRIPTOR_OUTPUT_NAME = 'descriptor';
const OPSET = 13;

interface Value {
  name: string;
  channels: number;
  size: number;
}

const RESIDUAL_STAGES: readonly { prefix: string; channels: number; down: boolean }[] = [
  { prefix: 'conv32_1', channels: 32, down: false },
  { prefix: 'conv32_2', channels: 32, down: false },
  { prefix: 'conv32_3', channels: 32, down: false },
  { prefix: 'conv64_down', channels: 64, down: true },
  { prefix: 'conv64_1', channels: 64, down: false },
  { prefix: 'conv64_2', channels: 64, down: false },
  { prefix: 'conv64_3', channels: 64, down: false },
  { prefix: 'conv128_down', channels: 128, down: true },
  { prefix: 'conv128_1', channels: 128, down: false },
  { prefix: 'conv128_2', channels: 128, down: false },
  { prefix: 'conv256_down', channels: 256, down: true },
  { prefix: 'conv256_1', channels: 256, down: false },
  { prefix: 'conv256_2', channels: 256, down: false },
  { prefix: 'conv256_down_out', channels: 256, down: true },
];

export const buildFaceApiDescriptorModel = (weights: ReadonlyMap<string, NamedTensor>): Uint8Array => {
  const used = new Set<string>();
  const get = (name: string, shape: readonly number[]): NamedTensor => {
    const t = weights.get(name);
    if (!t) throw new ModelError(`face recognition weights: ${name} is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new ModelError(
        `face recognition weights: ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`,
      );
    used.add(name);
    return t;
  };

  const g = new OnnxGraphBuilder();
  const input = g.name(DESCRIPTOR_INPUT_NAME);
  const mean = g.floatTensor('mean_rgb', [1, 3, 1, 1], Float32Array.from(DESCRIPTOR_MEAN_RGB));
  const scale = g.floatTensor('scale', [], Float32Array.of(DESCRIPTOR_SCALE));
  const normalised = g.node('Div', [g.node('Sub', [input, mean]), scale]);

  /** conv + bias + scale layer (folded), optionally ReLU; `same` padding is TF's (k odd, stride 1). */
  const convLayer = (
    x: Value,
    prefix: string,
    out: number,
    k: number,
    stride: number,
    padding: 'same' | 'valid',
    relu: boolean,
  ): Value => {
    const filters = get(`${prefix}/conv/filters`, [k, k, x.channels, out]);
    const bias = get(`${prefix}/conv/bias`, [out]);
    const sw = get(`${prefix}/scale/weights`, [out]);
    const sb = get(`${prefix}/scale/biases`, [out]);
    // tfjs filters are HWIO; ONNX wants OIHW.
    const w = new Float32Array(out * x.channels * k * k);
    const cin = x.channels;
    for (let h = 0; h < k; h++)
      for (let ww = 0; ww < k; ww++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < out; o++) {
            w[((o * cin + i) * k + h) * k + ww] =
              filters.data[((h * k + ww) * cin + i) * out + o]! * sw.data[o]!;
          }
    const b = new Float32Array(out);
    for (let o = 0; o < out; o++) b[o] = bias.data[o]! * sw.data[o]! + sb.data[o]!;
    const pad = padding === 'same' ? (k - 1) / 2 : 0;
    if (padding === 'same' && stride !== 1) throw new ModelError('same padding is only written for stride 1');
    const conv = g.node(
      'Conv',
      [x.name, g.floatTensor(`${prefix}/W`, [out, cin, k, k], w), g.floatTensor(`${prefix}/B`, [out], b)],
      {
        attributes: { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] },
      },
    );
    const size = padding === 'same' ? x.size : Math.floor((x.size - k) / stride) + 1;
    return { name: relu ? g.node('Relu', [conv]) : conv, channels: out, size };
  };

  const residual = (x: Value, prefix: string, channels: number, down: boolean): Value => {
    const a = convLayer(x, `${prefix}/conv1`, channels, 3, down ? 2 : 1, down ? 'valid' : 'same', true);
    let b = convLayer(a, `${prefix}/conv2`, channels, 3, 1, 'same', false);
    let shortcut: Value = x;
    if (down) {
      const pooled = g.node('AveragePool', [x.name], {
        attributes: { kernel_shape: [2, 2], strides: [2, 2] },
      });
      shortcut = { name: pooled, channels: x.channels, size: Math.floor(x.size / 2) };
      if (shortcut.size !== b.size) {
        // face-api appends a zero row (bottom) and column (right) to the conv branch.
        const extra = shortcut.size - b.size;
        if (extra < 0) throw new ModelError(`${prefix}: conv branch larger than the shortcut`);
        b = {
          ...b,
          name: g.node('Pad', [b.name, g.int64Tensor(`${prefix}/pad_hw`, [0, 0, 0, 0, 0, 0, extra, extra])]),
          size: shortcut.size,
        };
      }
      if (shortcut.channels !== channels) {
        // ...and zero channels to the shortcut.
        shortcut = {
          name: g.node('Pad', [
            shortcut.name,
            g.int64Tensor(`${prefix}/pad_c`, [0, 0, 0, 0, 0, channels - shortcut.channels, 0, 0]),
          ]),
          channels,
          size: shortcut.size,
        };
      }
    }
    return { name: g.node('Relu', [g.node('Add', [b.name, shortcut.name])]), channels, size: b.size };
  };

  let x: Value = { name: normalised, channels: 3, size: DESCRIPTOR_INPUT_SIZE };
  x = convLayer(x, 'conv32_down', 32, 7, 2, 'valid', true);
  x = {
    ...x,
    name: g.node('MaxPool', [x.name], { attributes: { kernel_shape: [3, 3], strides: [2, 2] } }),
    size: Math.floor((x.size - 3) / 2) + 1,
  };
  for (const s of RESIDUAL_STAGES) x = residual(x, s.prefix, s.channels, s.down);

  const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [x.name])], { attributes: { axis: 1 } });
  const fc = get('fc', [x.channels, DESCRIPTOR_DIM]);
  const out = g.node('MatMul', [pooled, g.floatTensor('fc', [x.channels, DESCRIPTOR_DIM], fc.data)]);
  g.rename(out, DESCRIPTOR_OUTPUT_NAME);

  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length)
    throw new ModelError(`face recognition weights: unexpected tensors ${unused.join(', ')}`);
  return g.build({
    input: { name: input, dims: [3, DESCRIPTOR_INPUT_SIZE, DESCRIPTOR_INPUT_SIZE] },
    output: { name: DESCRIPTOR_OUTPUT_NAME, dims: [DESCRIPTOR_DIM] },
    opset: OPSET,
    producer: 'mespotter face-api descriptor converter',
    docString:
      'face-api.js FaceRecognitionNet (dlib ResNet face descriptor) converted from @vladmandic/face-api ' +
      'model/face_recognition_model.bin; input raw 0..255 RGB NCHW 150x150, output unnormalised 128-d',
  });
};
