import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { decodeImage } from '../../core/image/decode.js';
import { fusedScore, templateOf } from '../../core/match/fusion.js';
import { cosine } from '../../core/match/similarity.js';
import { defaultModelsDir } from '../../core/models/defaultModelsDir.js';
import { EnginePool } from '../../core/runtime/EnginePool.js';
import type { Face, ImageAnalysis } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';

let fused: FaceEngine;
let fast: FaceEngine;
let sample1: ImageAnalysis;
let sample3: ImageAnalysis;

beforeAll(async () => {
  fused = await FaceEngine.create({ config: { embed: { mode: 'fused', flip: 'none' } } });
  fast = await FaceEngine.create({ config: { embed: { mode: 'fast', flip: 'none' } } });
  sample1 = await fused.analyze(await readFile(fx.samplePath(1)));
  sample3 = await fused.analyze(await readFile(fx.samplePath(3)));
});

afterAll(async () => {
  await Promise.all([fused?.close(), fast?.close()]);
});

const argmax = (xs: number[]): number => xs.reduce((b, x, i) => (x > xs[b]! ? i : b), 0);

describe('Embed modes', () => {
  it('fused: every face has an L2-normalised 128-d descriptor beside its 512-d embedding', () => {
    for (const f of [...sample1.faces, ...sample3.faces]) {
      expect(f.embedding).toHaveLength(512);
      expect(f.descriptor).toBeInstanceOf(Float32Array);
      expect(f.descriptor).toHaveLength(128);
      expect(Math.hypot(...f.descriptor!)).toBeCloseTo(1, 4);
    }
  });

  it('fast: no descriptor, and the same embeddings as fused mode', async () => {
    // Act
    const a = await fast.analyze(await readFile(fx.samplePath(1)));

    // Assess
    expect(a.faces.map((f) => f.box)).toEqual(sample1.faces.map((f) => f.box));
    a.faces.forEach((f, i) => {
      expect(f.descriptor).toBeUndefined();
      expect([...f.embedding]).toEqual([...sample1.faces[i]!.embedding]);
    });
  });

  it('the descriptor alone finds the woman of sample1 who is also in sample3, as the embedding does', () => {
    // Prepare: she is the sample1 face the embedding matches best in sample3 (well above 0.40)
    const best = sample1.faces.map((f) =>
      Math.max(...sample3.faces.map((g) => cosine(f.embedding, g.embedding))),
    );
    const person = sample1.faces[argmax(best)]!;
    const template = templateOf([person]);

    // Act
    const byEmbedding = argmax(sample3.faces.map((f) => cosine(f.embedding, person.embedding)));
    const byDescriptor = argmax(sample3.faces.map((f) => cosine(f.descriptor!, person.descriptor!)));
    const fused = sample3.faces.map((f) => fusedScore(f, template));

    // Assess
    expect(Math.max(...best)).toBeGreaterThan(0.4);
    expect(byDescriptor).toBe(byEmbedding);
    expect(argmax(fused)).toBe(byEmbedding);
    // The fused score is on the first embedder's scale: the match passes 0.40, the others do not.
    expect(fused[byEmbedding]).toBeGreaterThan(0.4);
    fused.forEach((s, i) => {
      if (i !== byEmbedding) expect(s).toBeLessThan(0.4);
    });
  });

  it('embedAt at a face’s own points gives its vectors again (no detection)', async () => {
    // Prepare
    const bytes = await readFile(fx.samplePath(1));
    const decoded = await decodeImage(bytes, {
      maxSide: fused.config.decode.analysisMaxSide,
      maxPixels: fused.config.decode.maxPixels,
    });

    // Act
    const again = await fused.embedAt(
      decoded,
      sample1.faces.map((f) => f.points),
    );

    // Assess
    again.forEach((v, i) => {
      expect(cosine(v.embedding, sample1.faces[i]!.embedding)).toBeGreaterThan(0.9999);
      expect(cosine(v.descriptor!, sample1.faces[i]!.descriptor!)).toBeGreaterThan(0.9999);
    });
  });

  it('test-time flip changes the vectors a little (the mirror average), not the faces', async () => {
    // Prepare
    const flipped = await FaceEngine.create({ config: { embed: { mode: 'fused', flip: 'both' } } });

    // Act
    const a = await flipped.analyze(await readFile(fx.samplePath(1)));
    await flipped.close();

    // Assess
    expect(a.faces.map((f) => f.box)).toEqual(sample1.faces.map((f) => f.box));
    a.faces.forEach((f: Face, i) => {
      const e = cosine(f.embedding, sample1.faces[i]!.embedding);
      const d = cosine(f.descriptor!, sample1.faces[i]!.descriptor!);
      expect(e).toBeGreaterThan(0.8);
      expect(e).toBeLessThan(0.99999);
      expect(d).toBeGreaterThan(0.9);
      expect(d).toBeLessThan(0.99999);
      expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 4);
    });
  });

  it('describeAligned gives both vectors of an ArcFace-aligned crop', async () => {
    // Prepare: the person's face cut out and aligned by the engine's own geometry is not needed;
    // any 112x112 crop runs through the same path.
    const crop = await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, { margin: 0.1, size: 112 });

    // Act
    const v = await fused.describeAligned(crop);
    const e = await fused.embedAligned(crop);

    // Assess
    expect(v.embedding).toHaveLength(512);
    expect(v.descriptor).toHaveLength(128);
    expect([...e]).toEqual([...v.embedding]);
    expect((await fast.describeAligned(crop)).descriptor).toBeUndefined();
  });

  it('fused mode refuses a model set without the descriptor model; fast mode runs on it', async () => {
    // Prepare: a three-model copy of the model folder
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-models-'));
    const src = defaultModelsDir();
    for (const f of ['detector.onnx', 'landmarks.onnx', 'embedder.onnx'])
      await copyFile(join(src, f), join(dir, f));
    const manifest = JSON.parse(await readFile(join(src, 'manifest.json'), 'utf8'));
    delete manifest.models.descriptor;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));

    // Act
    const error = await FaceEngine.create({ modelsDir: dir, config: { embed: { mode: 'fused' } } }).catch(
      (e: unknown) => e,
    );
    const fastOnly = await FaceEngine.create({ modelsDir: dir, config: { embed: { mode: 'fast' } } });
    const faces = (await fastOnly.analyze(await readFile(fx.samplePath(1)))).faces;
    await fastOnly.close();

    // Assess
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toMatch(/descriptor model.*npm run build.*fast/);
    expect(faces).toHaveLength(sample1.faces.length);
  });
});

describe('Class: EnginePool (embed modes)', () => {
  it('passes the embed mode to its workers and the descriptors back', async () => {
    // Prepare
    const fusedPool = await EnginePool.create(1, { config: { embed: { mode: 'fused', flip: 'none' } } });
    const fastPool = await EnginePool.create(1, { config: { embed: { mode: 'fast' } } });
    const bytes = await readFile(fx.samplePath(1));

    // Act
    const [a, b] = await Promise.all([fusedPool.analyze(bytes), fastPool.analyze(bytes)]);
    const aligned = await fusedPool.describeAligned(
      await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, { margin: 0.1, size: 112 }),
    );
    await Promise.all([fusedPool.close(), fastPool.close()]);

    // Assess
    expect(fusedPool.config.embed.mode).toBe('fused');
    expect(fastPool.config.embed.mode).toBe('fast');
    a.faces.forEach((f, i) => {
      expect(f.descriptor).toBeInstanceOf(Float32Array);
      expect([...f.descriptor!]).toEqual([...sample1.faces[i]!.descriptor!]);
    });
    expect(b.faces.every((f) => f.descriptor === undefined)).toBe(true);
    expect(aligned.descriptor).toBeInstanceOf(Float32Array);
  });
});
