/**
 * The converted descriptor (layers/models/descriptor.onnx, built from @vladmandic/face-api's tfjs
 * weights) against the tfjs original, face-api's own FaceRecognitionNet on tfjs's CPU backend, on
 * the same 150x150 crops of real faces. tfjs is a devDependency used only here.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_SIZE, DescriptorFraming, descriptorCrop } from '../../core/align/descriptorCrop.js';
import { warpToTensor } from '../../core/align/sample.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { decodeImage } from '../../core/image/decode.js';
import { defaultModelsDir } from '../../core/models/defaultModelsDir.js';
import { loadModels } from '../../core/models/manifest.js';
import { createSession, type ModelSession } from '../../core/runtime/session.js';
import type { Face, FivePoints } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';

/** Largest |onnx - tfjs| over the 128 raw outputs (which are of order 0.1) we accept. */
const MAX_ABS_TOLERANCE = 1e-5;
/** Cosine between the two raw descriptors we accept. */
const MIN_COSINE = 0.99999;

interface Tensor {
  dispose(): void;
}
interface FaceApi {
  tf: {
    env(): { set(flag: string, value: boolean): void };
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(values: Float32Array, shape: [number, number, number], dtype: 'float32'): Tensor;
  };
  nets: {
    faceRecognitionNet: {
      loadFromDisk(dir: string): Promise<void>;
      computeFaceDescriptor(input: Tensor[]): Promise<Float32Array[]>;
      dispose(): void;
    };
  };
}

const require = createRequire(import.meta.url);
const faceApiDir = dirname(require.resolve('@vladmandic/face-api/package.json'));

let faceapi: FaceApi;
let engine: FaceEngine;
let session: ModelSession;
/** 150x150 crops of every face in two sample photos, raw 0..255 RGB, channels-first. */
const crops: Float32Array[] = [];
const faces: Face[] = [];

const plane = DESCRIPTOR_SIZE * DESCRIPTOR_SIZE;
const toHwc = (chw: Float32Array): Float32Array => {
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = chw[c * plane + i]!;
  return out;
};
const cosine = (a: Float32Array, b: Float32Array): number => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / Math.sqrt(na * nb);
};

beforeAll(async () => {
  faceapi = require(join(faceApiDir, 'dist', 'face-api.node-wasm.js')) as FaceApi;
  // PROD only silences tfjs's banner suggesting tfjs-node (not wanted: the CPU backend is the reference).
  faceapi.tf.env().set('PROD', true);
  await faceapi.tf.setBackend('cpu');
  await faceapi.tf.ready();
  await faceapi.nets.faceRecognitionNet.loadFromDisk(join(faceApiDir, 'model'));

  const models = await loadModels(defaultModelsDir());
  session = await createSession(models.bytes.descriptor!, 'descriptor', { intraOpThreads: 1, device: 'cpu' });
  engine = await FaceEngine.create({
    config: { embed: { mode: 'fused', flip: 'none', descriptorFraming: 'aligned', descriptorZoom: 1 } },
  });
  for (const n of [1, 4]) {
    const bytes = await readFile(fx.samplePath(n));
    const decoded = await decodeImage(bytes, {
      maxSide: engine.config.decode.analysisMaxSide,
      maxPixels: engine.config.decode.maxPixels,
    });
    for (const face of (await engine.analyze(bytes)).faces) {
      const points = face.points.map((p) => ({
        x: p.x * decoded.scale,
        y: p.y * decoded.scale,
      })) as unknown as FivePoints;
      const crop = new Float32Array(3 * plane);
      warpToTensor(
        decoded.image,
        descriptorCrop(points, DescriptorFraming.Aligned, 1),
        { width: DESCRIPTOR_SIZE, height: DESCRIPTOR_SIZE, colour: 'rgb', mean: 0, std: 1 },
        crop,
        0,
      );
      crops.push(crop);
      faces.push(face);
    }
  }
}, 180_000);

afterAll(async () => {
  faceapi?.nets.faceRecognitionNet.dispose();
  await session?.release();
  await engine?.close();
});

describe('Model: descriptor.onnx (face-api FaceRecognitionNet converted at build time)', () => {
  it(`matches the tfjs original on real face crops (max abs error < ${MAX_ABS_TOLERANCE}, cosine > ${MIN_COSINE})`, async () => {
    // Prepare
    const batch = new Float32Array(crops.length * 3 * plane);
    crops.forEach((c, i) => {
      batch.set(c, i * 3 * plane);
    });
    const inputs = crops.map((c) =>
      faceapi.tf.tensor3d(toHwc(c), [DESCRIPTOR_SIZE, DESCRIPTOR_SIZE, 3], 'float32'),
    );

    // Act
    const reference = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(inputs);
    const out = await session.run({
      input: { data: batch, dims: [crops.length, 3, DESCRIPTOR_SIZE, DESCRIPTOR_SIZE] },
    });
    for (const t of inputs) t.dispose();

    // Assess
    const converted = out['descriptor']!;
    expect(converted.dims).toEqual([crops.length, 128]);
    let maxAbs = 0;
    let minCos = 1;
    reference.forEach((ref, i) => {
      const mine = converted.data.subarray(i * 128, (i + 1) * 128);
      for (let k = 0; k < 128; k++) maxAbs = Math.max(maxAbs, Math.abs(mine[k]! - ref[k]!));
      minCos = Math.min(minCos, cosine(mine, ref));
    });
    console.info(
      `descriptor parity on ${crops.length} face crops: max abs error ${maxAbs.toExponential(2)}, ` +
        `min cosine ${minCos.toFixed(9)}`,
    );
    expect(crops.length).toBeGreaterThanOrEqual(7);
    expect(maxAbs).toBeLessThan(MAX_ABS_TOLERANCE);
    expect(minCos).toBeGreaterThan(MIN_COSINE);

    // ...and the engine's descriptors are those outputs, L2-normalised.
    faces.forEach((f, i) => {
      expect(f.descriptor).toHaveLength(128);
      expect(cosine(f.descriptor!, reference[i]!)).toBeGreaterThan(MIN_COSINE);
      expect(Math.hypot(...f.descriptor!)).toBeCloseTo(1, 5);
    });
  });
});
