/**
 * Photos stored in any of the 8 EXIF orientations, with the true stored position of a face box
 * found from pixels rather than computed: a mask of the box goes through the very same sharp
 * operations as the photo, and its bright pixels are located afterwards. The code under test
 * never sees this, so it checks the orientation maths independently. (Test-only sharp use, like
 * imageFixtures.ts.)
 */
import sharp from 'sharp';
import type { Box } from '../../core/types.js';
import type { ExifOrientation, NormRect } from '../../core/xmp/orientationTransform.js';

type Op = (s: sharp.Sharp) => sharp.Sharp;

/** Operations that turn an upright picture into the pixels stored under orientation o. */
const TO_STORED: Record<ExifOrientation, Op[]> = {
  1: [],
  2: [(s) => s.flop()],
  3: [(s) => s.rotate(180)],
  4: [(s) => s.flip()],
  5: [(s) => s.rotate(90), (s) => s.flop()],
  6: [(s) => s.rotate(270)],
  7: [(s) => s.rotate(90), (s) => s.flip()],
  8: [(s) => s.rotate(90)],
};

const applyOps = async (input: Buffer, ops: Op[]): Promise<Buffer> => {
  let buf = input;
  // One sharp pipeline per step: sharp orders rotate/flip itself within one pipeline.
  for (const op of ops) buf = await op(sharp(buf)).png().toBuffer();
  return buf;
};

const brightBounds = async (png: Buffer): Promise<{ rect: NormRect; width: number; height: number }> => {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (data[y * info.width + x]! > 127) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  }
  if (!Number.isFinite(x1)) throw new Error('mask is empty');
  return {
    rect: {
      left: x1 / info.width,
      top: y1 / info.height,
      width: (x2 - x1) / info.width,
      height: (y2 - y1) / info.height,
    },
    width: info.width,
    height: info.height,
  };
};

const boxMask = async (width: number, height: number, boxes: readonly Box[]): Promise<Buffer[]> =>
  Promise.all(
    boxes.map((b) =>
      sharp({ create: { width, height, channels: 3, background: '#000000' } })
        .composite([
          {
            input: {
              create: {
                width: Math.round(b.x2 - b.x1),
                height: Math.round(b.y2 - b.y1),
                channels: 3,
                background: '#ffffff',
              },
            },
            left: Math.round(b.x1),
            top: Math.round(b.y1),
          },
        ])
        .png()
        .toBuffer(),
    ),
  );

export interface OrientedPhoto {
  /** JPEG bytes: pixels stored turned/mirrored, EXIF Orientation o saying how to show them. */
  jpeg: Buffer;
  storedWidth: number;
  storedHeight: number;
  uprightWidth: number;
  uprightHeight: number;
  /** Where each box really is in the stored frame, normalised (measured from pixels). */
  storedRects: NormRect[];
}

/** Stores an upright picture (file or encoded bytes) under orientation o, with its boxes. */
export const storeWithOrientation = async (
  upright: string | Buffer,
  boxes: readonly Box[],
  o: ExifOrientation,
): Promise<OrientedPhoto> => {
  const base = await sharp(upright).rotate().png().toBuffer();
  const meta = await sharp(base).metadata();
  const uprightWidth = meta.width!;
  const uprightHeight = meta.height!;
  const stored = await applyOps(base, TO_STORED[o]);
  const jpeg = await sharp(stored).withMetadata({ orientation: o }).jpeg({ quality: 90 }).toBuffer();
  const storedRects: NormRect[] = [];
  const masks = await boxMask(uprightWidth, uprightHeight, boxes);
  for (const [i, mask] of masks.entries()) {
    const storedMask = await applyOps(mask, TO_STORED[o]);
    // Self-check: showing the stored mask the way sharp (and so the engine) honours orientation o
    // must give the upright box back, or the fixture itself is wrong.
    const withTag = await sharp(storedMask)
      .withMetadata({ orientation: o })
      .jpeg({ quality: 100 })
      .toBuffer();
    const back = await brightBounds(await sharp(withTag).rotate().png().toBuffer());
    const b = boxes[i]!;
    const off = Math.max(
      Math.abs(back.rect.left * uprightWidth - b.x1),
      Math.abs(back.rect.top * uprightHeight - b.y1),
      Math.abs((back.rect.left + back.rect.width) * uprightWidth - b.x2),
      Math.abs((back.rect.top + back.rect.height) * uprightHeight - b.y2),
    );
    if (back.width !== uprightWidth || back.height !== uprightHeight || off > 2) {
      throw new Error(`fixture for orientation ${o} does not show the box upright (off by ${off} px)`);
    }
    storedRects.push((await brightBounds(storedMask)).rect);
  }
  const sm = await sharp(jpeg).metadata();
  return {
    jpeg,
    storedWidth: sm.width!,
    storedHeight: sm.height!,
    uprightWidth,
    uprightHeight,
    storedRects,
  };
};

/** A plain generated photo (no face needed: the tag layer only sees boxes). */
export const plainPhoto = (width: number, height: number, shade = 120): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: shade, g: 140, b: 160 } } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="${width}" height="${height}"><circle cx="${width / 3}" cy="${height / 2}" r="${Math.min(width, height) / 5}" fill="#d9a"/></svg>`,
        ),
      },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();

/** The same picture in another container (for in-place and unsupported-format cases). */
export const asFormat = (
  jpeg: Buffer,
  format: 'png' | 'webp' | 'tiff-lzw' | 'tiff-jpeg' | 'gif' | 'avif',
): Promise<Buffer> => {
  const s = sharp(jpeg);
  switch (format) {
    case 'png':
      return s.png().toBuffer();
    case 'webp':
      return s.webp({ quality: 90 }).toBuffer();
    case 'tiff-lzw':
      return s.tiff({ compression: 'lzw' }).toBuffer();
    case 'tiff-jpeg':
      return s.tiff({ compression: 'jpeg' }).toBuffer();
    case 'gif':
      return s.gif().toBuffer();
    case 'avif':
      return s.avif({ quality: 50, effort: 0 }).toBuffer();
  }
};

/** Decoded pixels as stored (no orientation applied), for "pixels untouched" checks. */
export const storedPixels = async (file: string | Buffer): Promise<Buffer> => sharp(file).raw().toBuffer();
