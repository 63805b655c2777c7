import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou } from '../../core/detect/boxMath.js';
import { ImageError, ImageErrorCode, ModelError } from '../../core/errors.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { cosine } from '../../core/match/similarity.js';
import { defaultModelsDir } from '../../core/models/defaultModelsDir.js';
import type { Face } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';

let engine: FaceEngine;
let person: Face;

const bestSimilarity = async (bytes: Buffer, e = engine): Promise<{ best: number; faces: Face[] }> => {
  const { faces } = await e.analyze(bytes);
  return { best: Math.max(-1, ...faces.map((f) => cosine(f.embedding, person.embedding))), faces };
};

const expectImageError = async (bytes: Uint8Array, code: string, e = engine): Promise<void> => {
  const error = await e.analyze(bytes).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe(code);
};

beforeAll(async () => {
  engine = await FaceEngine.create();
  const { faces } = await engine.analyze(await readFile(fx.samplePath(1)));
  person = faces.find((f) => iou(f.box, fx.PERSON_BOX) > 0.5)!;
});

afterAll(async () => {
  await engine.close();
});

describe('Class: FaceEngine', () => {
  describe('detection', () => {
    it.each(Object.entries(fx.SAMPLE_FACE_COUNTS))('finds every face in sample%s', async (n, count) => {
      // Act
      const analysis = await engine.analyze(await readFile(fx.samplePath(Number(n))));

      // Assess
      expect(analysis.faces).toHaveLength(count);
      for (const f of analysis.faces) {
        expect(f.embedding).toHaveLength(512);
        expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 4);
      }
    });

    it('finds nothing in a photo without people', async () => {
      expect((await engine.analyze(await fx.noFacePhoto())).faces).toHaveLength(0);
    });

    it('finds a ~50 px face in a 12 MP photo through tiling, and misses it without', async () => {
      // Prepare: the person's face shrunk to about 50 px tall on a 4032x3024 canvas
      const face = await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, { margin: 0.6, size: 80 });
      const photo = await fx.pasteOnCanvas(face, { width: 4032, height: 3024, left: 2500, top: 1700 });
      const fullFrameOnly = await FaceEngine.create({ config: { detect: { maxGrid: 1 } } });

      // Act
      const tiled = await bestSimilarity(photo);
      const untiled = await fullFrameOnly.analyze(photo);
      await fullFrameOnly.close();

      // Assess
      expect(tiled.faces).toHaveLength(1);
      expect(tiled.faces[0]!.box.y2 - tiled.faces[0]!.box.y1).toBeLessThan(70);
      expect(tiled.best).toBeGreaterThan(DEFAULT_THRESHOLD);
      expect(untiled.faces).toHaveLength(0);
    });
  });

  describe('identity', () => {
    it('scores different people below the match threshold', async () => {
      const others: number[] = [];
      for (const n of [2, 3, 4, 5, 6]) {
        const { faces } = await engine.analyze(await readFile(fx.samplePath(n)));
        others.push(...faces.map((f) => cosine(f.embedding, person.embedding)));
      }
      expect(others).toHaveLength(19);
      expect(Math.max(...others)).toBeLessThan(DEFAULT_THRESHOLD);
    });

    it.each(['jpeg-small', 'png', 'webp', 'tiff', 'gif', 'avif', 'cmyk', 'png16', 'alpha', 'grey'] as const)(
      'recognises the same face after re-encoding as %s',
      async (format) => {
        const { best, faces } = await bestSimilarity(await fx.reencode(fx.samplePath(1), format));
        expect(faces).toHaveLength(3);
        expect(best).toBeGreaterThan(0.9);
      },
    );

    it('applies EXIF orientation before analysis', async () => {
      // Prepare: pixels stored sideways, EXIF says how to turn them upright
      const bytes = await fx.withExifRotation(fx.samplePath(1));

      // Act
      const analysis = await engine.analyze(bytes);
      const { best } = await bestSimilarity(bytes);

      // Assess: upright size and the same face, at the same place
      expect([analysis.width, analysis.height]).toEqual([1920, 1280]);
      expect(best).toBeGreaterThan(0.95);
      expect(analysis.faces.some((f) => iou(f.box, fx.PERSON_BOX) > 0.8)).toBe(true);
    });

    it.each([30, -45, 60, 90, 180])(
      'turns a face rolled by %i° upright before embedding',
      async (degrees) => {
        // Prepare
        const crop = await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, { margin: 1.2, size: 500 });

        // Act
        const { best, faces } = await bestSimilarity(await fx.rotated(crop, degrees));

        // Assess
        expect(faces).toHaveLength(1);
        expect(best).toBeGreaterThan(0.6);
      },
    );

    it('gives the same embeddings whatever the batch size', async () => {
      // Prepare
      const unbatched = await FaceEngine.create({ config: { runtime: { embedBatch: 1 } } });
      const bytes = await readFile(fx.samplePath(5));

      // Act
      const a = await engine.analyze(bytes);
      const b = await unbatched.analyze(bytes);
      await unbatched.close();

      // Assess
      expect(b.faces).toHaveLength(a.faces.length);
      a.faces.forEach((f, i) => {
        expect(cosine(f.embedding, b.faces[i]!.embedding)).toBeGreaterThan(0.99999);
      });
    });
  });

  describe('bad input', () => {
    it('reports an empty file', async () => {
      await expectImageError(new Uint8Array(0), ImageErrorCode.Empty);
    });

    it('reports a truncated JPEG', async () => {
      const bytes = await readFile(fx.samplePath(2));
      await expectImageError(bytes.subarray(0, Math.floor(bytes.length / 3)), ImageErrorCode.Corrupt);
    });

    it('reports a non-image', async () => {
      await expectImageError(
        Buffer.from('this is a text file with a .jpg name\n'.repeat(20)),
        ImageErrorCode.Unsupported,
      );
    });

    it('refuses a decompression bomb before decoding it', async () => {
      await expectImageError(fx.pngBomb(60_000, 60_000), ImageErrorCode.TooManyPixels);
    });

    it('refuses files over the size limit', async () => {
      const small = await FaceEngine.create({ config: { decode: { maxFileBytes: 1000 } } });
      await expectImageError(await readFile(fx.samplePath(1)), ImageErrorCode.TooLarge, small);
      await small.close();
    });
  });

  describe('models', () => {
    it('refuses a model whose checksum does not match the manifest', async () => {
      // Prepare: a copy of the model folder with one byte of the embedder changed
      const dir = await mkdtemp(join(tmpdir(), 'mespotter-models-'));
      const src = defaultModelsDir();
      for (const f of ['manifest.json', 'detector.onnx', 'landmarks.onnx', 'embedder.onnx']) {
        await copyFile(join(src, f), join(dir, f));
      }
      const bytes = await readFile(join(dir, 'embedder.onnx'));
      bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
      await writeFile(join(dir, 'embedder.onnx'), bytes);

      // Act
      const error = await FaceEngine.create({ modelsDir: dir }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ModelError);
      expect((error as Error).message).toMatch(/Checksum mismatch.*embedder/);
    });

    it('exposes the model-set id from the manifest', async () => {
      const manifest = JSON.parse(await readFile(join(defaultModelsDir(), 'manifest.json'), 'utf8'));
      expect(engine.modelSetId).toBe(manifest.modelSetId);
      expect(engine.modelSetId).toMatch(/^faceplugin-face-recognition-js@0\.0\.1#[0-9a-f]{12}$/);
    });
  });
});
