import { describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.js';
import { buildFaceApiDescriptorModel } from '../../core/models/faceApiDescriptorGraph.js';
import { readTfjsWeights } from '../../core/models/tfjsWeights.js';

/** A weights manifest in tfjs's format with one float32, one uint8- and one float16-quantised tensor. */
const fixture = () => {
  const manifest = [
    {
      paths: ['a.bin', 'b.bin'],
      weights: [
        { name: 'raw', shape: [2], dtype: 'float32' },
        { name: 'q8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      ],
    },
  ];
  const bytes = new Uint8Array(8 + 3 + 4);
  const view = new DataView(bytes.buffer);
  view.setFloat32(0, 1.25, true);
  view.setFloat32(4, -3.5, true);
  bytes.set([0, 3, 255], 8);
  view.setUint16(11, 0x3c00, true); // 1.0
  view.setUint16(13, 0xc000, true); // -2.0
  // Split across two shards at an odd offset, as tfjs allows.
  return { manifest, shards: [bytes.subarray(0, 5), bytes.subarray(5)] };
};

describe('Function: readTfjsWeights', () => {
  it('reads float32 as is and dequantises uint8 (q * scale + min) and float16, across shards', () => {
    // Prepare
    const { manifest, shards } = fixture();

    // Act
    const w = readTfjsWeights(manifest, shards);

    // Assess
    expect([...w.get('raw')!.data]).toEqual([1.25, -3.5]);
    expect([...w.get('q8')!.data]).toEqual([-1, 0.5, 126.5]);
    expect([...w.get('h')!.data]).toEqual([1, -2]);
    expect(w.get('q8')!.shape).toEqual([3]);
  });

  it('refuses a truncated weights file, leftover bytes and a malformed manifest', () => {
    const { manifest, shards } = fixture();
    expect(() => readTfjsWeights(manifest, [shards[0]!, shards[1]!.subarray(0, 3)])).toThrow(ModelError);
    expect(() => readTfjsWeights(manifest, [shards[0]!, new Uint8Array([...shards[1]!, 0])])).toThrow(
      /unread byte/,
    );
    expect(() => readTfjsWeights([{ paths: 'x', weights: [] }], [])).toThrow(ModelError);
    expect(() => readTfjsWeights(manifest, [shards[0]!])).toThrow(/shard/);
  });
});

describe('Function: buildFaceApiDescriptorModel', () => {
  it('names the first missing tensor instead of writing a broken graph', () => {
    expect(() => buildFaceApiDescriptorModel(new Map())).toThrow(/conv32_down\/conv\/filters is missing/);
  });

  it('refuses a tensor of the wrong shape', () => {
    const bad = new Map([
      ['conv32_down/conv/filters', { shape: [3, 3, 3, 32], data: new Float32Array(864) }],
    ]);
    expect(() => buildFaceApiDescriptorModel(bad)).toThrow(
      /has shape \[3, 3, 3, 32\], expected \[7, 7, 3, 32\]/,
    );
  });
});
