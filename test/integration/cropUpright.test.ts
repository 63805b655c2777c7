/**
 * cropUpright cuts a region given in upright pixels out of a photo stored in any EXIF orientation
 * (what `enroll --from-tags` analyses when no detected face overlaps a tagged region). Test-side
 * sharp, like imageFixtures.ts, to draw and measure pixels independently of the code under test.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropUpright } from '../../core/image/decode.js';
import { EXIF_ORIENTATIONS } from '../../core/xmp/orientationTransform.js';
import { storeWithOrientation } from '../helpers/orientedPhotos.js';

const BOX = { x1: 400, y1: 100, x2: 520, y2: 260 };

/** A dark upright picture with one white rectangle at BOX. */
const upright = (): Promise<Buffer> =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#202020' } })
    .composite([
      {
        input: {
          create: { width: BOX.x2 - BOX.x1, height: BOX.y2 - BOX.y1, channels: 3, background: '#ffffff' },
        },
        left: BOX.x1,
        top: BOX.y1,
      },
    ])
    .png()
    .toBuffer();

const brightShare = async (png: Buffer): Promise<number> => {
  const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (const v of data) if (v > 127) n++;
  return n / data.length;
};

describe('cropUpright', () => {
  it.each(EXIF_ORIENTATIONS)('orientation %i: the box is cut out of the upright picture', async (o) => {
    const photo = await storeWithOrientation(await upright(), [BOX], o);
    const crop = await cropUpright(photo.jpeg, BOX, { margin: 0, maxPixels: 1e8 });
    expect(crop).toMatchObject({ left: 400, top: 100, width: 120, height: 160 });
    expect(await brightShare(crop.png)).toBeGreaterThan(0.97);
    // With a margin of half the box on every side, the rectangle is a quarter of the crop.
    const wide = await cropUpright(photo.jpeg, BOX, { margin: 0.5, maxPixels: 1e8 });
    expect(wide).toMatchObject({ left: 340, top: 20, width: 240, height: 320 });
    expect(await brightShare(wide.png)).toBeCloseTo(0.25, 1);
  });

  it('clips at the edges of the photo and refuses a box outside it', async () => {
    const png = await upright();
    const edge = await cropUpright(
      png,
      { x1: 600, y1: 440, x2: 660, y2: 500 },
      { margin: 0.5, maxPixels: 1e8 },
    );
    expect(edge).toMatchObject({ left: 570, top: 410, width: 70, height: 70 });
    await expect(
      cropUpright(png, { x1: 700, y1: 10, x2: 760, y2: 60 }, { margin: 0, maxPixels: 1e8 }),
    ).rejects.toThrow(RangeError);
    await expect(
      cropUpright(Buffer.from('not an image'), BOX, { margin: 0, maxPixels: 1e8 }),
    ).rejects.toMatchObject({
      code: 'unsupported_format',
    });
  });
});
