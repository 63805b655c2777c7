/** The only module that touches sharp: every decode and encode goes through here. */
import exifReader from 'exif-reader';
import type Sharp from 'sharp';
import type { Metadata, SharpOptions } from 'sharp';
import { ImageError, ImageErrorCode } from '../errors.js';
import type { Box, RgbImage } from '../types.js';
import { isPnm, parsePnm } from './pnm.js';

let loaded: Promise<typeof Sharp> | undefined;

/**
 * sharp and libvips (tens of MB of native code) are loaded on the first image, not at import, so a
 * command that never touches a photo (`--help`, `people`, `library stats`) starts at once.
 */
const loadSharp = (): Promise<typeof Sharp> => {
  loaded ??= import('sharp').then((m) => {
    const sharp = m.default;
    // The CLI runs several lanes itself; libvips' own thread pool per image would oversubscribe 2 cores.
    sharp.concurrency(1);
    // Cache is for repeated operations on the same file; we decode each photo once.
    sharp.cache(false);
    return sharp;
  });
  return loaded;
};

export interface DecodeOptions {
  /** Long side of the returned image; larger photos are shrunk (on load, for JPEG). */
  maxSide: number;
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels: number;
}

export interface DecodedImage {
  /** RGB pixels at analysis resolution, upright (EXIF orientation applied). */
  image: RgbImage;
  /** Upright size of the full-resolution photo. */
  originalWidth: number;
  originalHeight: number;
  /** image.width / originalWidth. */
  scale: number;
  format: string;
}

/** Maps libvips' messages onto stable reasons a user can act on. */
const classify = (error: unknown): ImageError => {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new ImageError(ImageErrorCode.TooManyPixels, `image too large: ${message}`, { cause: error });
  }
  if (/unsupported|bad seek|not a known file format|not been built/i.test(message)) {
    return new ImageError(ImageErrorCode.Unsupported, `not an image sharp can read: ${message}`, {
      cause: error,
    });
  }
  return new ImageError(ImageErrorCode.Corrupt, `corrupt or truncated image: ${message}`, { cause: error });
};

/** EXIF orientations 5..8 swap width and height once applied. */
const orientedSize = (meta: Metadata): { width: number; height: number } => {
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
};

interface OpenedImage {
  sharp: typeof Sharp;
  input: Uint8Array;
  options: SharpOptions;
  meta: Metadata;
  /** Upright size (EXIF orientation applied) at full resolution. */
  width: number;
  height: number;
}

/**
 * What every decode starts with: sharp loaded, PGM/PPM turned into raw pixels (libvips reads only
 * some of them), the header read and the upright size known; failures as ImageErrors.
 */
const openImage = async (input: Uint8Array, maxPixels: number): Promise<OpenedImage> => {
  if (input.byteLength === 0) throw new ImageError(ImageErrorCode.Empty, 'empty file (0 bytes)');
  const sharp = await loadSharp();
  let options: SharpOptions = {
    limitInputPixels: maxPixels,
    // Truncated files are errors; libvips warnings on otherwise readable files are not.
    failOn: 'truncated',
    pages: 1,
  };
  if (isPnm(input)) {
    const pnm = parsePnm(input);
    if (!pnm) throw new ImageError(ImageErrorCode.Corrupt, 'corrupt or truncated PGM/PPM image');
    input = pnm.data;
    options = { ...options, raw: { width: pnm.width, height: pnm.height, channels: pnm.channels } };
  }
  let meta: Metadata;
  try {
    meta = await sharp(input, options).metadata();
  } catch (error) {
    throw classify(error);
  }
  const { width, height } = orientedSize(meta);
  if (!width || !height) throw new ImageError(ImageErrorCode.Corrupt, 'image has no dimensions');
  return { sharp, input, options, meta, width, height };
};

export const decodeImage = async (bytes: Uint8Array, options: DecodeOptions): Promise<DecodedImage> => {
  const opened = await openImage(bytes, options.maxPixels);
  const { sharp, input, meta } = opened;
  const sharpOptions = opened.options;
  const originalWidth = opened.width;
  const originalHeight = opened.height;
  if (originalWidth * originalHeight > options.maxPixels) {
    throw new ImageError(
      ImageErrorCode.TooManyPixels,
      `image too large: ${originalWidth}x${originalHeight} exceeds ${options.maxPixels} pixels`,
    );
  }
  const scale = snapToShrinkOnLoad(Math.min(1, options.maxSide / Math.max(originalWidth, originalHeight)));
  const width = Math.max(1, Math.round(originalWidth * scale));
  const height = Math.max(1, Math.round(originalHeight * scale));
  try {
    const { data, info } = await sharp(input, sharpOptions)
      .rotate()
      .resize({ width, height, fit: 'fill' })
      // Transparent areas become white rather than whatever colour hides under alpha 0.
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const rgb = info.channels === 3 ? data : toRgb(data, info.channels);
    return {
      image: {
        data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength),
        width: info.width,
        height: info.height,
      },
      originalWidth,
      originalHeight,
      scale: info.width / originalWidth,
      format: meta.format ?? 'unknown',
    };
  } catch (error) {
    throw classify(error);
  }
};

/**
 * libjpeg decodes at 1/2, 1/4 or 1/8 size almost for free; a target slightly above one of those
 * forces a full decode plus a resize (12 MP at 2048 px: 174 ms, at 2016 px: 117 ms). Targets
 * within 15 % above such a factor are moved down to it.
 */
export const snapToShrinkOnLoad = (scale: number): number => {
  for (const factor of [0.5, 0.25, 0.125]) if (scale > factor && scale < factor * 1.15) return factor;
  return scale;
};

const toRgb = (data: Uint8Array, channels: number): Uint8Array => {
  const pixels = data.length / channels;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const v = data[i * channels]!;
    // One channel is grey; two is grey + alpha (already flattened).
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1]! : v;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2]! : v;
  }
  return out;
};

/** Area-averaged resize of an in-memory RGB image (used to build the detector's image pyramid). */
export const resizeRgb = async (image: RgbImage, width: number, height: number): Promise<RgbImage> => {
  if (width === image.width && height === image.height) return image;
  const sharp = await loadSharp();
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
};

/** JPEG-encodes an in-memory RGB image, optionally shrunk so its long side is at most maxSide. */
export const encodeJpeg = async (
  image: RgbImage,
  options: { quality?: number; maxSide?: number } = {},
): Promise<{ jpeg: Buffer; width: number; height: number }> => {
  const sharp = await loadSharp();
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (options.maxSide && Math.max(image.width, image.height) > options.maxSide) {
    pipeline = pipeline.resize({ width: options.maxSide, height: options.maxSide, fit: 'inside' });
  }
  const { data, info } = await pipeline
    .jpeg({ quality: options.quality ?? 82 })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
};

/**
 * When the photo was taken, from EXIF DateTimeOriginal (else DateTime): the camera's wall-clock
 * time as ISO text, with OffsetTimeOriginal when the camera wrote one. Undefined when absent or
 * unreadable: capture time is a nicety, never a reason to fail a photo.
 */
export const readCaptureTime = async (input: Uint8Array): Promise<string | undefined> => {
  try {
    const sharp = await loadSharp();
    const { exif } = await sharp(input, { failOn: 'none' }).metadata();
    if (!exif) return undefined;
    const tags = exifReader(exif);
    const when = tags.Photo?.DateTimeOriginal ?? tags.Image?.DateTime;
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) return undefined;
    const offset = tags.Photo?.OffsetTimeOriginal;
    const wall = when.toISOString().slice(0, 19);
    return typeof offset === 'string' && /^[+-]\d\d:\d\d$/.test(offset) ? `${wall}${offset}` : wall;
  } catch {
    return undefined;
  }
};

/** An upright region cut out of a photo, with where it sits in the photo's upright pixels. */
export interface UprightCrop {
  /** Lossless PNG of the region (re-encoding as JPEG would add artefacts to a face about to be embedded). */
  png: Buffer;
  /** Top-left corner and size of the region in the full-resolution upright photo. */
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Cuts `box` (upright pixels of the full-resolution photo, EXIF orientation applied) out of a photo,
 * grown by `margin` times its size on every side and clipped to the photo: e.g. a face region that
 * another program tagged, to be analysed on its own. Throws an ImageError like decodeImage, and a
 * RangeError when the box does not overlap the photo (the caller's bug).
 */
export const cropUpright = async (
  input: Uint8Array,
  box: Box,
  options: { margin: number; maxPixels: number },
): Promise<UprightCrop> => {
  const opened = await openImage(input, options.maxPixels);
  const { sharp } = opened;
  const sharpOptions = opened.options;
  input = opened.input;
  const uprightWidth = opened.width;
  const uprightHeight = opened.height;
  const mx = (box.x2 - box.x1) * options.margin;
  const my = (box.y2 - box.y1) * options.margin;
  const left = Math.max(0, Math.floor(box.x1 - mx));
  const top = Math.max(0, Math.floor(box.y1 - my));
  const right = Math.min(uprightWidth, Math.ceil(box.x2 + mx));
  const bottom = Math.min(uprightHeight, Math.ceil(box.y2 + my));
  if (!(right > left && bottom > top))
    throw new RangeError(
      `box ${JSON.stringify(box)} lies outside the ${uprightWidth}x${uprightHeight} photo`,
    );
  const width = right - left;
  const height = bottom - top;
  try {
    // Auto-orientation happens before the extract (sharp orders it so), so the box is upright.
    const png = await sharp(input, sharpOptions)
      .rotate()
      .extract({ left, top, width, height })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .png()
      .toBuffer();
    return { png, left, top, width, height };
  } catch (error) {
    throw classify(error);
  }
};

/**
 * A square JPEG of the region around `box` (upright original pixels, as faces are stored), `size`
 * pixels wide: the review page's face crops. `margin` widens the square by that fraction of the
 * box's larger side on each side; the region is clamped to the photo. Decodes only what the region
 * needs to be cut, and refuses images over `maxPixels` like every decode.
 */
export const cropJpeg = async (
  input: Uint8Array,
  box: { x1: number; y1: number; x2: number; y2: number },
  options: { size: number; margin: number; maxPixels: number; quality?: number },
): Promise<Buffer> => {
  const opened = await openImage(input, options.maxPixels);
  const { sharp, width, height } = opened;
  const sharpOptions = opened.options;
  input = opened.input;
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * (1 + 2 * options.margin);
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const left = Math.max(0, Math.min(width - 1, Math.round(cx - side / 2)));
  const top = Math.max(0, Math.min(height - 1, Math.round(cy - side / 2)));
  const region = {
    left,
    top,
    width: Math.max(1, Math.min(width - left, Math.round(side))),
    height: Math.max(1, Math.min(height - top, Math.round(side))),
  };
  try {
    return await sharp(input, sharpOptions)
      .rotate()
      .extract(region)
      .resize({ width: options.size, height: options.size, fit: 'cover' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: options.quality ?? 80 })
      .toBuffer();
  } catch (error) {
    throw classify(error);
  }
};
