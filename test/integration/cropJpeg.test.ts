import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ImageError } from '../../core/errors.js';
import { cropJpeg, decodeImage } from '../../core/image/decode.js';
import { PERSON_BOX, samplePath, withExifRotation } from '../helpers/imageFixtures.js';

const MAX_PIXELS = 100_000_000;
const decode = (jpeg: Uint8Array) => decodeImage(jpeg, { maxSide: 4096, maxPixels: MAX_PIXELS });

const meanAbsDiff = (a: Uint8Array, b: Uint8Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

describe('Function: cropJpeg (the review page’s face crops)', () => {
  it('cuts a square around the face box, in upright pixels, at the size asked', async () => {
    const bytes = new Uint8Array(await readFile(samplePath(1)));
    const jpeg = await cropJpeg(bytes, PERSON_BOX, { size: 160, margin: 0.25, maxPixels: MAX_PIXELS });
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const crop = await decode(jpeg);
    expect([crop.originalWidth, crop.originalHeight]).toEqual([160, 160]);
    // The same region cut from the decoded photo looks the same.
    const other = await cropJpeg(
      bytes,
      { ...PERSON_BOX, x1: PERSON_BOX.x1 + 700, x2: PERSON_BOX.x2 + 700 },
      {
        size: 160,
        margin: 0.25,
        maxPixels: MAX_PIXELS,
      },
    );
    expect(meanAbsDiff(crop.image.data, (await decode(other)).image.data)).toBeGreaterThan(20);
  });

  it('honours EXIF orientation: a photo stored turned gives the same crop as the upright one', async () => {
    const upright = new Uint8Array(await readFile(samplePath(1)));
    const turned = new Uint8Array(await withExifRotation(samplePath(1)));
    const o = { size: 160, margin: 0.25, maxPixels: MAX_PIXELS };
    const a = await decode(await cropJpeg(upright, PERSON_BOX, o));
    const b = await decode(await cropJpeg(turned, PERSON_BOX, o));
    expect(meanAbsDiff(a.image.data, b.image.data)).toBeLessThan(8);
  });

  it('clamps a box at the edge of the photo and refuses an empty file', async () => {
    const bytes = new Uint8Array(await readFile(samplePath(1)));
    const edge = await cropJpeg(
      bytes,
      { x1: 1800, y1: 1200, x2: 1950, y2: 1300 },
      {
        size: 96,
        margin: 0.5,
        maxPixels: MAX_PIXELS,
      },
    );
    expect((await decode(edge)).originalWidth).toBe(96);
    await expect(
      cropJpeg(new Uint8Array(0), PERSON_BOX, { size: 96, margin: 0, maxPixels: MAX_PIXELS }),
    ).rejects.toThrow(ImageError);
  });
});
