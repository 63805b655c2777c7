import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError, ImageErrorCode } from '../../core/errors.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { EnginePool } from '../../core/runtime/EnginePool.js';
import type { ImageAnalysis } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';

let pool: EnginePool;

beforeAll(async () => {
  pool = await EnginePool.create(2);
});

afterAll(async () => {
  await pool.close();
});

describe('Class: EnginePool', () => {
  it('gives the same analysis as an in-process engine, across concurrent calls', async () => {
    // Prepare
    const engine = await FaceEngine.create();
    const photos = await Promise.all([1, 2, 3, 4].map((n) => readFile(fx.samplePath(n))));

    // Act
    const pooled = await Promise.all(photos.map((p) => pool.analyze(p)));
    const direct: ImageAnalysis[] = [];
    for (const p of photos) direct.push(await engine.analyze(p));
    await engine.close();

    // Assess
    expect(pool.modelSetId).toBe(engine.modelSetId);
    pooled.forEach((a, i) => {
      expect(a.faces.map((f) => f.box)).toEqual(direct[i]!.faces.map((f) => f.box));
      expect(a.faces[0]!.embedding).toBeInstanceOf(Float32Array);
      expect([...a.faces[0]!.embedding]).toEqual([...direct[i]!.faces[0]!.embedding]);
    });
  });

  it('passes typed image errors back from the worker', async () => {
    const error = await pool.analyze(new Uint8Array(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).code).toBe(ImageErrorCode.Empty);
  });
});
