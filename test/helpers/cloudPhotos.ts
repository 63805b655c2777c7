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
  /** References of a second person, the middle woman of sample1, made the same way. */
  secondReferences: Buffer[];
  /** sample1 with the first person's face painted over: the second person and a stranger. */
  withoutFirst: Buffer;
  /** sample1 with the second person's face painted over: the first person and a stranger. */
  withoutSecond: Buffer;
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

/** The image with a face (and a margin around it) painted flat grey: nobody is left there. */
const paintOver = (img: RgbImage, b: Box, margin: number): RgbImage => {
  const data = Uint8Array.from(img.data);
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const x1 = Math.max(0, Math.round(b.x1 - w * margin));
  const x2 = Math.min(img.width, Math.round(b.x2 + w * margin));
  for (
    let y = Math.max(0, Math.round(b.y1 - h * margin));
    y < Math.min(img.height, Math.round(b.y2 + h * margin));
    y++
  )
    data.fill(128, (y * img.width + x1) * 3, (y * img.width + x2) * 3);
  return { ...img, data };
};

const referencesOf = async (image: RgbImage, box: Box): Promise<Buffer[]> => {
  const variants = [
    crop(image, box, 0.5),
    mirror(crop(image, box, 0.6)),
    brighten(crop(image, box, 0.4), 1.15, 10),
    brighten(crop(image, box, 0.7), 0.85, -5),
  ];
  return Promise.all(
    variants.map(async (v, i) => (await encodeJpeg(v, { quality: 85 - i * 5, maxSide: 480 })).jpeg),
  );
};

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
  // The middle one, the second person, scores under 0.36 against every other sample's faces.
  const [face, second] = [...analysis.faces].sort((a, b) => a.box.x1 - b.box.x1);
  if (!face || !second) throw new Error('fewer than two faces in sample1');
  const jpeg = async (img: RgbImage) => (await encodeJpeg(img, { quality: 90 })).jpeg;
  return {
    samples,
    sample1Reencoded: (await encodeJpeg(image, { quality: 70 })).jpeg,
    references: await referencesOf(image, face.box),
    secondReferences: await referencesOf(image, second.box),
    withoutFirst: await jpeg(paintOver(image, face.box, 0.3)),
    withoutSecond: await jpeg(paintOver(image, second.box, 0.3)),
    corrupt: sample1.subarray(0, 2000),
  };
};
