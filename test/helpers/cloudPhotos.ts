import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceEngine } from '../../core/FaceEngine.js';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import type { Box, RgbImage } from '../../core/types.js';

/** face-api's demo photos: groups of 3-5 women, nobody in two of them. */
export const SAMPLES_DIR = join(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  '@vladmandic',
  'face-api',
  'demo',
);

export interface CloudTestPhotos {
  /** sample1..6 as shipped. */
  samples: Buffer[];
  /** sample1 decoded and re-encoded: the same scene, other bytes (another content hash). */
  sample1Reencoded: Buffer;
  /** References of the person (the leftmost woman of sample1): crops and variants. */
  references: Buffer[];
  /** sample1 cut short: a JPEG header with no image behind it. */
  corrupt: Buffer;
}

const crop = (img: RgbImage, b: Box, margin: number): RgbImage => {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const x1 = Math.max(0, Math.round(b.x1 - w * margin));
  const y1 = Math.max(0, Math.round(b.y1 - h * margin));
  const x2 = Math.min(img.width, Math.round(b.x2 + w * margin));
  const y2 = Math.min(img.height, Math.round(b.y2 + h * margin));
  const out = new Uint8Array((x2 - x1) * (y2 - y1) * 3);
  for (let y = y1; y < y2; y++) {
    out.set(img.data.subarray((y * img.width + x1) * 3, (y * img.width + x2) * 3), (y - y1) * (x2 - x1) * 3);
  }
  return { data: out, width: x2 - x1, height: y2 - y1 };
};

const mirror = (img: RgbImage): RgbImage => {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = (y * img.width + x) * 3;
      const d = (y * img.width + (img.width - 1 - x)) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { ...img, data: out };
};

const brighten = (img: RgbImage, gain: number, offset: number): RgbImage => ({
  ...img,
  data: img.data.map((v) => Math.max(0, Math.min(255, Math.round(v * gain + offset)))),
});

/** Builds the e2e photo set (about a second): references cropped from sample1. */
export const makeCloudTestPhotos = async (engine: FaceEngine): Promise<CloudTestPhotos> => {
  const samples = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((i) => readFile(join(SAMPLES_DIR, `sample${i}.jpg`))),
  );
  const sample1 = samples[0]!;
  const { image } = await decodeImage(sample1, { maxSide: 10_000, maxPixels: 100_000_000 });
  const analysis = await engine.analyze(sample1);
  // The leftmost woman: the rightmost one scores 0.59 against a woman in sample3 with these
  // models (a look-alike or the same model), which would make "without the person" ambiguous.
  const face = [...analysis.faces].sort((a, b) => a.box.x1 - b.box.x1)[0];
  if (!face) throw new Error('no face in sample1');
  const variants = [
    crop(image, face.box, 0.5),
    mirror(crop(image, face.box, 0.6)),
    brighten(crop(image, face.box, 0.4), 1.15, 10),
    brighten(crop(image, face.box, 0.7), 0.85, -5),
  ];
  const references = await Promise.all(
    variants.map(async (v, i) => (await encodeJpeg(v, { quality: 85 - i * 5, maxSide: 480 })).jpeg),
  );
  return {
    samples,
    sample1Reencoded: (await encodeJpeg(image, { quality: 70 })).jpeg,
    references,
    corrupt: sample1.subarray(0, 2000),
  };
};
